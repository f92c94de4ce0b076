/** What `spokes status` shows per projection: checkpoint, lag behind its stream, and poison messages. */
import { count, eq } from "drizzle-orm";
import type { JetStreamEventLog } from "../core/jetstream-event-log.ts";
import type { StreamName } from "../core/subjects.ts";
import { readCheckpoint } from "./checkpoints.ts";
import type { Db } from "./db/database.ts";
import type { AnyProjection } from "./projection.ts";
import { PROJECTIONS } from "./registry.ts";
import { projectionPoison } from "./tables.ts";

export type ProjectionStatus = {
  name: string;
  stream: StreamName;
  /** Last stream sequence applied. */
  checkpoint: number;
  /** Stream head; 0 for an empty stream. */
  head: number;
  /** Messages behind: head minus checkpoint (projections read their whole stream). */
  lag: number;
  poison: number;
};

/** Pure: lag from a stream head and a checkpoint. */
export const lagOf = (head: number, checkpoint: number): number => Math.max(0, head - checkpoint);

export async function projectionStatus(
  db: Db,
  log: Pick<JetStreamEventLog, "jsm">,
  projections: readonly AnyProjection[] = PROJECTIONS,
): Promise<ProjectionStatus[]> {
  const heads = new Map<StreamName, number>();
  const out: ProjectionStatus[] = [];
  for (const p of projections) {
    if (!heads.has(p.stream)) heads.set(p.stream, (await log.jsm.streams.info(p.stream)).state.last_seq);
    const head = heads.get(p.stream) ?? 0;
    const checkpoint = await readCheckpoint(db, p.name);
    const [row] = await db.select({ n: count() }).from(projectionPoison).where(eq(projectionPoison.projection, p.name));
    out.push({ name: p.name, stream: p.stream, checkpoint, head, lag: lagOf(head, checkpoint), poison: row?.n ?? 0 });
  }
  return out;
}

/** The poison messages of one projection, oldest first. */
export function poisonOf(db: Db, projection: string, limit = 100) {
  return db
    .select()
    .from(projectionPoison)
    .where(eq(projectionPoison.projection, projection))
    .orderBy(projectionPoison.seq)
    .limit(limit);
}

/** Pure: the statuses in the Prometheus text format, for a `/metrics` endpoint. */
export function statusMetrics(statuses: readonly ProjectionStatus[]): string {
  const lines: string[] = [];
  const metric = (name: string, help: string, value: (s: ProjectionStatus) => number) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const s of statuses) lines.push(`${name}{projection="${s.name}",stream="${s.stream}"} ${value(s)}`);
  };
  metric("spokes_projection_lag", "Messages in the stream not yet applied by the projection.", (s) => s.lag);
  metric("spokes_projection_checkpoint", "Last stream sequence applied by the projection.", (s) => s.checkpoint);
  metric("spokes_projection_poison", "Messages the projection set aside as poison.", (s) => s.poison);
  return `${lines.join("\n")}\n`;
}
