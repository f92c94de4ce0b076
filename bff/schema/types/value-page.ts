import type { Page } from "../../read/cursor.ts";
import type { HistoryRow } from "../../read/history.ts";
import { builder } from "../builder.ts";
import { PageInfo } from "./page-info.ts";
import { ValueRecord } from "./value-record.ts";

export const ValuePage = builder.objectRef<Page<HistoryRow>>("ValuePage").implement({
  fields: (t) => ({
    nodes: t.field({ type: [ValueRecord], resolve: (p) => p.nodes }),
    pageInfo: t.field({ type: PageInfo, resolve: (p) => p }),
  }),
});
