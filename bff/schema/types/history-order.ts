import { builder } from "../builder.ts";

export const HistoryOrder = builder.enumType("HistoryOrder", {
  values: { NEWEST: { value: "newest" }, OLDEST: { value: "oldest" } } as const,
});

export const ValueKind = builder.enumType("ValueKind", {
  values: { EVENT: { value: "event" }, PROPERTY: { value: "property" } } as const,
});
