import type { ActionRow } from "../../read/actions.ts";
import type { Page } from "../../read/cursor.ts";
import { builder } from "../builder.ts";
import { ActionStateEnum } from "./action-state.ts";
import { PageInfo } from "./page-info.ts";

export const ActionRecord = builder.objectRef<ActionRow>("ActionRecord").implement({
  description: "One action of a Thing, with its request and the state it is in now.",
  fields: (t) => ({
    actionId: t.exposeID("actionId"),
    thing: t.exposeString("thing"),
    name: t.exposeString("name", {
      description: "The action's name; `writeproperty:{property}` for a property write.",
    }),
    input: t.field({ type: "JSON", nullable: true, resolve: (r) => r.input }),
    requestedBy: t.exposeString("requestedBy", { nullable: true }),
    requestedAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "Null when the request aged out of the log before it was read.",
      resolve: (r) => r.requestedAt,
    }),
    ttl: t.int({ nullable: true, description: "Seconds.", resolve: (r) => (r.ttlMs == null ? null : r.ttlMs / 1000) }),
    state: t.field({ type: ActionStateEnum, resolve: (r) => r.state as never }),
    updatedAt: t.field({ type: "DateTime", resolve: (r) => r.updatedAt }),
    output: t.field({ type: "JSON", nullable: true, resolve: (r) => r.output }),
    error: t.exposeString("error", { nullable: true }),
  }),
});

export const ActionPage = builder.objectRef<Page<ActionRow>>("ActionPage").implement({
  fields: (t) => ({
    nodes: t.field({ type: [ActionRecord], resolve: (p) => p.nodes }),
    pageInfo: t.field({ type: PageInfo, resolve: (p) => p }),
  }),
});
