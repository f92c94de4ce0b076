import { requireCaller } from "../../access.ts";
import { thingsPage } from "../../read/things.ts";
import { builder } from "../builder.ts";
import { MAX_PAGE } from "../types/page-info.ts";
import { ThingPage } from "../types/thing-page.ts";

builder.queryField("things", (t) =>
  t.field({
    type: ThingPage,
    description: `Things the caller may see, ordered by id. \`first\` is at most ${MAX_PAGE}.`,
    args: {
      type: t.arg.string({ description: "Only Things with this `@type`." }),
      text: t.arg.string({ description: "Only Things whose title or description contains this text." }),
      group: t.arg.string({ description: "Only Things in this group." }),
      first: t.arg.int({ defaultValue: 20 }),
      after: t.arg.string(),
    },
    resolve: (_root, a, ctx) => {
      const caller = requireCaller(ctx);
      const first = Math.min(Math.max(a.first ?? 20, 0), MAX_PAGE);
      return thingsPage(ctx.services.db, caller, a, first, a.after);
    },
  }),
);
