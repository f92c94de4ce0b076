import { UnavailableError } from "../../../core/errors.ts";
import type { EventLog } from "../../../core/event-log.ts";
import { JetStreamEventLog } from "../../../core/jetstream-event-log.ts";
import { JetStreamGatewayMappings, type StoredGatewayMapping } from "../../../core/jetstream-gateway-mappings.ts";
import { builder } from "../builder.ts";

export type Lwm2mGatewayMappingValue = StoredGatewayMapping & { endpoint: string };

const stores = new WeakMap<JetStreamEventLog, Promise<JetStreamGatewayMappings>>();

/** The mapping store on the hub's JetStream (opened once per event log). */
export function gatewayMappings(log: EventLog): Promise<JetStreamGatewayMappings> {
  if (!(log instanceof JetStreamEventLog)) {
    return Promise.reject(new UnavailableError("LwM2M gateway mappings live in JetStream, which this hub lacks"));
  }
  let store = stores.get(log);
  if (!store) {
    store = JetStreamGatewayMappings.open(log);
    stores.set(log, store);
    store.catch(() => stores.delete(log));
  }
  return store;
}

export const Lwm2mGatewayMappingRef = builder.objectRef<Lwm2mGatewayMappingValue>("Lwm2mGatewayMapping").implement({
  description:
    "Which Things the LwM2M gateway exposes to its upstream LwM2M server, and where (see " +
    "docs/how-to/expose-things-over-lwm2m.md). Changes apply at once, without a restart.",
  fields: (t) => ({
    endpoint: t.exposeString("endpoint", { description: "The gateway's LwM2M endpoint client name." }),
    mapping: t.field({
      type: "JSON",
      description: "The mapping document: `{ firstObjectId, exposures: [{ thing, kind, name, objectId?, ... }] }`.",
      resolve: (m) => m.mapping,
    }),
    revision: t.exposeInt("revision", { description: "Stream sequence of this version; rises with each change." }),
    changedAt: t.field({ type: "DateTime", resolve: (m) => new Date(m.changedAt) }),
    changedBy: t.exposeString("changedBy", { description: "The user who set it, or `mapping file`." }),
  }),
});
