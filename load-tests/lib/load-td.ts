/** The Thing Description every load device claims its Thing with, for k6 scripts and Node drivers alike. Pure. */

/** A small Thing Description: a `reading` event, a `level` property and a `toggle` action. */
export const tdOf = (d: { device: string; thing: string }) => ({
  "@context": "https://www.w3.org/2022/wot/td/v1.1",
  id: d.thing,
  title: `Load ${d.device}`,
  "@type": "Sensor",
  securityDefinitions: { bearer: { scheme: "bearer" } },
  security: ["bearer"],
  events: { reading: { data: { type: "object" } } },
  properties: { level: { type: "number" } },
  actions: { toggle: {} },
});
