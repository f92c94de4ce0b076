/**
 * Bucketed aggregates of a Thing's numeric values: per interval of `every` seconds from `from`, the count, min, max
 * and average of the values that are JSON numbers (or, with `path`, of the number at that path inside an object).
 * Computed by Postgres over the history read model; buckets with no numeric value are left out.
 */
import { sql } from "drizzle-orm";
import { ValidationError } from "../../core/errors.ts";
import { type Db, rowsOf } from "../../projections/db/database.ts";

/** Most buckets one query may ask for. */
export const MAX_BUCKETS = 10_000;

export type BucketQuery = {
  thing: string;
  name: string;
  kind?: "event" | "property" | null;
  from: Date;
  to: Date;
  /** Bucket width in seconds. */
  every: number;
  /** Keys into an object value, e.g. ["temperature"]; the value itself when empty. */
  path: string[];
};

export type Bucket = { start: string; count: number; min: number; max: number; avg: number };

/** Refuses ranges that are empty, reversed or cut into too many buckets. */
export function checkBuckets(q: Pick<BucketQuery, "from" | "to" | "every">): void {
  const span = q.to.getTime() - q.from.getTime();
  if (span < 0)
    throw new ValidationError("`to` is before `from`", [{ path: "to", message: "must not be before from" }]);
  if (span / 1000 / q.every > MAX_BUCKETS) {
    throw new ValidationError(`the range holds more than ${MAX_BUCKETS} buckets; widen \`every\``, [
      { path: "every", message: `at most ${MAX_BUCKETS} buckets per query` },
    ]);
  }
}

export async function historyBuckets(db: Db, q: BucketQuery): Promise<Bucket[]> {
  checkBuckets(q);
  const value = q.path.length ? sql`data #> ${`{${q.path.map(quoteKey).join(",")}}`}::text[]` : sql`data`;
  const rows = await rowsOf<{ start: string | Date; count: number; min: number; max: number; avg: number }>(
    db,
    sql`select date_bin(make_interval(secs => ${q.every}), time, ${q.from.toISOString()}::timestamptz) as start,
          count(*)::int as count, min(v) as min, max(v) as max, avg(v) as avg
        from (select time, (${value} #>> '{}')::double precision as v
              from history_values
              where thing = ${q.thing} and name = ${q.name}
                ${q.kind ? sql`and kind = ${q.kind}` : sql``}
                and time >= ${q.from.toISOString()}::timestamptz and time <= ${q.to.toISOString()}::timestamptz
                and jsonb_typeof(${value}) = 'number') numbers
        group by 1 order by 1`,
  );
  return rows.map((r) => ({
    start: new Date(r.start).toISOString(),
    count: Number(r.count),
    min: Number(r.min),
    max: Number(r.max),
    avg: Number(r.avg),
  }));
}

/** A key as an element of a Postgres text[] literal. */
function quoteKey(key: string): string {
  return `"${key.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
