/**
 * The hub's own Thing Description, served at `/.well-known/wot` (W3C WoT Discovery's well-known introduction): a
 * Thing Directory whose listing is the GraphQL `things` query (access-checked, so it needs a user's access token),
 * and whose actions are the provisioning endpoints a new device uses. Links name the device endpoints.
 */

/** Where the hub can be reached; absent endpoints are left out. */
export type HubEndpoints = {
  /** Base URL of the HTTP endpoint (GraphQL, provisioning), e.g. `http://hub.local:4000`. */
  http: string;
  mqttPort?: number;
  mqttWsPort?: number;
  coapPort?: number;
  /** Stable id of this hub (its CA's fingerprint prefix, for example). */
  hubId: string;
  title?: string;
};

export function directoryTd(e: HubEndpoints): Record<string, unknown> {
  const base = e.http.replace(/\/+$/, "");
  const host = new URL(base).hostname;
  const links: Record<string, unknown>[] = [
    { href: `${base}/graphql`, rel: "alternate", type: "application/graphql-response+json" },
  ];
  if (e.mqttPort) links.push({ href: `mqtt://${host}:${e.mqttPort}`, rel: "alternate", type: "application/json" });
  if (e.mqttWsPort) links.push({ href: `ws://${host}:${e.mqttWsPort}`, rel: "alternate", type: "application/json" });
  if (e.coapPort) links.push({ href: `coap://${host}:${e.coapPort}`, rel: "alternate", type: "application/json" });
  return {
    "@context": ["https://www.w3.org/2022/wot/td/v1.1", "https://www.w3.org/2022/wot/discovery"],
    "@type": "ThingDirectory",
    id: `urn:spokes:hub:${e.hubId}`,
    title: e.title ?? "Spokes hub",
    description: "An event-sourced IoT hub. Devices provision here, then publish over MQTT, HTTP or CoAP.",
    base: `${base}/`,
    securityDefinitions: {
      nosec_sc: { scheme: "nosec" },
      bearer_sc: { scheme: "bearer", format: "jwt", alg: "EdDSA", in: "header" },
    },
    security: "nosec_sc",
    properties: {
      things: {
        title: "Thing Descriptions",
        description:
          "The Things the caller may read: GraphQL query `{ things { items { id td } } }` with a user's access token.",
        type: "array",
        items: { type: "object" },
        readOnly: true,
        forms: [
          {
            href: "graphql",
            op: "readproperty",
            "htv:methodName": "POST",
            contentType: "application/json",
            security: "bearer_sc",
          },
        ],
      },
    },
    actions: {
      requestProvisioning: {
        title: "Request credentials",
        description: "A device asks for credentials; see docs/how-to/provision-a-device.md.",
        input: {
          type: "object",
          required: ["device", "nonce"],
          properties: {
            device: { type: "string" },
            nonce: { type: "string", minLength: 16, maxLength: 128 },
            publicKey: { type: "string" },
            csr: { type: "string" },
            secret: { type: "string" },
            mac: { type: "string" },
          },
        },
        forms: [
          {
            href: "provisioning/requests",
            op: "invokeaction",
            "htv:methodName": "POST",
            contentType: "application/json",
          },
        ],
      },
      pollProvisioning: {
        title: "Poll a request",
        description: "Status of a request, with the credentials once approved. Send the nonce in `Provisioning-Nonce`.",
        uriVariables: { device: { type: "string" } },
        safe: true,
        idempotent: true,
        forms: [
          {
            href: "provisioning/requests/{device}",
            op: "invokeaction",
            "htv:methodName": "GET",
            contentType: "application/json",
          },
        ],
      },
    },
    links,
  };
}
