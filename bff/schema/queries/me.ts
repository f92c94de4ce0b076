import { requireCaller } from "../../access.ts";
import { builder } from "../builder.ts";
import { Me } from "../types/me.ts";

builder.queryField("me", (t) =>
  t.field({ type: Me, description: "Who the access token stands for.", resolve: (_r, _a, ctx) => requireCaller(ctx) }),
);
