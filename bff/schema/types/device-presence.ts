import { isReachable, type PresenceRecord } from "../../../projections/presence/queries.ts";
import { builder } from "../builder.ts";

export const PresenceStateEnum = builder.enumType("PresenceState", {
  description:
    "What the device's binding last saw: CONNECTED (reachable, perhaps only `until` a time, as in a long poll), " +
    "DISCONNECTED, or ASLEEP (a sleepy device, expected back `until` a time).",
  values: {
    CONNECTED: { value: "connected" },
    DISCONNECTED: { value: "disconnected" },
    ASLEEP: { value: "asleep" },
  } as const,
});

export const DevicePresence = builder.objectRef<PresenceRecord>("DevicePresence").implement({
  description: "Whether a device can be reached now, as the bindings last reported it.",
  fields: (t) => ({
    device: t.exposeID("device"),
    state: t.field({ type: PresenceStateEnum, resolve: (p) => p.state as never }),
    reachable: t.boolean({
      description: "CONNECTED, and still inside the `until` window when there is one.",
      resolve: (p) => isReachable(p, new Date()),
    }),
    until: t.field({
      type: "DateTime",
      nullable: true,
      description: "ASLEEP: when the device is expected back. CONNECTED: until when it stays reachable.",
      resolve: (p) => p.until,
    }),
    since: t.field({ type: "DateTime", description: "When this state began.", resolve: (p) => p.since }),
    binding: t.exposeString("binding", { nullable: true, description: "`mqtt`, `http`, `lwm2m`, …" }),
    things: t.exposeStringList("things", {
      nullable: true,
      description: "The Things the device said it hosts, when it said so.",
    }),
    seq: t.exposeInt("seq", { description: "PRESENCE stream sequence of the change." }),
  }),
});
