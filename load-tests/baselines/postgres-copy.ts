/**
 * The ceiling for getting events into Postgres: a plain `COPY … FROM STDIN` of history-shaped rows (sequence,
 * Thing, kind, name, two times, a jsonb value) into a fresh table with the same indexes a history table needs.
 * Used by load-tests/run.ts; standalone: `node load-tests/baselines/postgres-copy.ts postgres://… [rows]`.
 */
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import postgres from "postgres";

/** One row in COPY's text format: tab-separated, `\N` for null, backslash escapes. */
export function copyLine(values: unknown[]): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return "\\N";
    const s = typeof v === "string" ? v : JSON.stringify(v);
    return s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
  };
  return `${values.map(cell).join("\t")}\n`;
}

/** COPYs `rows` rows and returns rows/s (the rows are built before the clock starts). */
export async function measureCopy(url: string, rows: number): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`drop table if exists load_copy_baseline`;
    await sql`create table load_copy_baseline (seq bigint primary key, thing text not null, kind text not null,
      name text not null, time timestamptz not null, received_at timestamptz not null, data jsonb)`;
    await sql`create index on load_copy_baseline (thing, time)`;
    const now = Date.now();
    const lines: string[] = [];
    for (let i = 0; i < rows; i++) {
      const t = new Date(now - (rows - i) * 10).toISOString();
      lines.push(copyLine([i + 1, `load-thing-${i % 100}`, "event", "reading", t, t, { seq: i, celsius: 21.5 }]));
    }
    const t0 = performance.now();
    const writable = await sql`copy load_copy_baseline from stdin`.writable();
    await pipeline(
      (async function* () {
        for (let i = 0; i < lines.length; i += 1000) yield lines.slice(i, i + 1000).join("");
      })(),
      writable as Writable,
    );
    const seconds = (performance.now() - t0) / 1000;
    await sql`drop table load_copy_baseline`;
    return Math.round(rows / seconds);
  } finally {
    await sql.end();
  }
}

if (import.meta.main) {
  const [url, rows = "100000"] = process.argv.slice(2);
  if (!url) throw new Error("usage: postgres-copy.ts <postgres url> [rows]");
  console.log(`COPY: ${await measureCopy(url, Number(rows))} rows/s`);
}
