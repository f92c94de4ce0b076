import type { Page } from "../../read/cursor.ts";
import { builder } from "../builder.ts";

export const PageInfo = builder.objectRef<Page<unknown>>("PageInfo").implement({
  description: "Where a page ends. Pass `endCursor` as `after` to get the next page.",
  fields: (t) => ({
    endCursor: t.string({ nullable: true, resolve: (p) => p.endCursor }),
    hasNextPage: t.boolean({ resolve: (p) => p.hasNextPage }),
  }),
});

/** Largest page size a client may ask for; part of limiting a query's cost. */
export const MAX_PAGE = 100;
