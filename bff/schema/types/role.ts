import { builder } from "../builder.ts";

export const RoleEnum = builder.enumType("Role", {
  description:
    "Per group: viewer (read, subscribe) < operator (+ invoke actions) < manager (+ write, configure) < admin.",
  values: {
    VIEWER: { value: "viewer" },
    OPERATOR: { value: "operator" },
    MANAGER: { value: "manager" },
    ADMIN: { value: "admin" },
  } as const,
});
