import { forbidden, requireCaller } from "../../access.ts";
import { builder } from "../builder.ts";
import { attempt, resultUnion } from "../results.ts";
import { gatewayMappings, Lwm2mGatewayMappingRef } from "../types/lwm2m-gateway-mapping.ts";

const SetLwm2mGatewayMappingResult = resultUnion("SetLwm2mGatewayMappingResult", Lwm2mGatewayMappingRef, [
  "ValidationError",
  "Forbidden",
]);

builder.mutationField("setLwm2mGatewayMapping", (t) =>
  t.field({
    type: SetLwm2mGatewayMappingResult,
    description:
      "Replaces the mapping of an LwM2M gateway endpoint (administrators only). It is checked (no LwM2M path used " +
      "twice, no write or execute on events, ids in range) and stored in JetStream; the gateway applies it at once " +
      "and updates its registration's object links.",
    args: {
      endpoint: t.arg.string({ required: true }),
      mapping: t.arg({ type: "JSON", required: true }),
    },
    resolve: (_root, args, ctx) =>
      attempt(async () => {
        const caller = requireCaller(ctx);
        if (!caller.admin) return forbidden("change the LwM2M gateway mapping");
        const stored = await (await gatewayMappings(ctx.services.log)).set(args.endpoint, args.mapping, caller.user);
        ctx.services.logger.info("LwM2M gateway mapping changed", { endpoint: args.endpoint, by: caller.user });
        return { ...stored, endpoint: args.endpoint };
      }),
  }),
);
