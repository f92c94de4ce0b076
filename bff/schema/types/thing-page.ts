import type { Page } from "../../read/cursor.ts";
import type { ThingRow } from "../../read/things.ts";
import { builder } from "../builder.ts";
import { PageInfo } from "./page-info.ts";
import { Thing } from "./thing.ts";

export const ThingPage = builder.objectRef<Page<ThingRow>>("ThingPage").implement({
  fields: (t) => ({
    nodes: t.field({ type: [Thing], resolve: (p) => p.nodes }),
    pageInfo: t.field({ type: PageInfo, resolve: (p) => p }),
  }),
});
