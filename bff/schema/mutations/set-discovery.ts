import { UnavailableError } from "../../../core/errors.ts";
import { forbidden, requireCaller } from "../../access.ts";
import { builder } from "../builder.ts";
import { attempt, resultUnion } from "../results.ts";
import { DiscoveryRef, discoveryOf } from "../types/discovery.ts";

const SetDiscoveryResult = resultUnion("SetDiscoveryResult", DiscoveryRef, ["Forbidden"]);

builder.mutationField("setDiscovery", (t) =>
  t.field({
    type: SetDiscoveryResult,
    description:
      "Switches the hub's DNS-SD announcement on or off while it runs (administrators only). Switching off sends " +
      "goodbye packets, so browsers drop the hub at once.",
    args: { enabled: t.arg.boolean({ required: true }) },
    resolve: (_root, args, ctx) =>
      attempt(async () => {
        const caller = requireCaller(ctx);
        if (!caller.admin) return forbidden("switch discovery");
        const discovery = ctx.services.discovery;
        if (!discovery) throw new UnavailableError("this hub process does not announce itself");
        await discovery.setEnabled(args.enabled);
        ctx.services.logger.info("discovery switched", { enabled: args.enabled, by: caller.user });
        return discoveryOf(ctx.services);
      }),
  }),
);
