import { forbidden, requireCaller } from "../../access.ts";
import { builder } from "../builder.ts";
import { gatewayMappings, Lwm2mGatewayMappingRef } from "../types/lwm2m-gateway-mapping.ts";

builder.queryField("lwm2mGatewayMapping", (t) =>
  t.field({
    type: Lwm2mGatewayMappingRef,
    nullable: true,
    description: "The mapping in force for an LwM2M gateway endpoint; null when none was set (administrators only).",
    args: { endpoint: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const caller = requireCaller(ctx);
      if (!caller.admin) throw forbidden("read the LwM2M gateway mapping");
      const stored = await (await gatewayMappings(ctx.services.log)).get(args.endpoint);
      return stored ? { ...stored, endpoint: args.endpoint } : null;
    },
  }),
);
