/**
 * Runs projections against their own database and NATS connections: what a projection worker process and the
 * hub's projection thread both do (see worker-process.ts and projection-thread.ts).
 */
import type { Config } from "../core/config.ts";
import { JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { type Database, type DatabaseOptions, openDatabase } from "./db/database.ts";
import { migrate } from "./db/migrate.ts";
import type { AnyProjection } from "./projection.ts";
import { PROJECTIONS } from "./registry.ts";
import { ProjectionRunner } from "./runner.ts";

export type RunProjectionsOptions = {
  config: Config;
  natsUrl: string;
  database: DatabaseOptions;
  /** Projection names; all when empty or absent. */
  names?: readonly string[];
  /** Apply the migrations first (a process of its own does; the hub's thread finds them applied). */
  migrate?: boolean;
  /** Connection name shown by nats-server's monitoring. */
  name?: string;
  onError: (projection: string, err: unknown) => void;
};

export type RunningProjections = { stop(): Promise<void> };

/** A runner with the hub's batch settings, for projections that share a database handle with others. */
export function projectionRunner(
  config: Config,
  database: Database,
  log: JetStreamEventLog,
  projections: readonly AnyProjection[],
  onError: (projection: string, err: unknown) => void,
): ProjectionRunner {
  return new ProjectionRunner(database.db, log, projections, {
    batchSize: config.SPOKES_PROJECTION_BATCH_SIZE,
    maxWaitMs: config.SPOKES_PROJECTION_MAX_WAIT,
    onError,
  });
}

/** Opens the connections and starts the runner; on a failure to start, closes what it opened and throws. */
export async function runProjections(o: RunProjectionsOptions): Promise<RunningProjections> {
  const chosen = o.names?.length ? PROJECTIONS.filter((p) => o.names?.includes(p.name)) : PROJECTIONS;
  const database = await openDatabase(o.database);
  let log: JetStreamEventLog | undefined;
  try {
    if (o.migrate) await migrate(database);
    log = await JetStreamEventLog.open({
      servers: o.natsUrl.split(","),
      settings: o.config,
      ensure: false,
      name: o.name ?? "spokes-projections",
    });
    const runner = projectionRunner(o.config, database, log, chosen, o.onError);
    await runner.start();
    const opened = log;
    return {
      async stop() {
        await runner.stop();
        await opened.close();
        await database.close();
      },
    };
  } catch (err) {
    await log?.close().catch(() => {});
    await database.close().catch(() => {});
    throw err;
  }
}
