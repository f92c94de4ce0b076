/**
 * The read-model side of the hub: the database (Postgres when SPOKES_POSTGRES_URL is set, else embedded PGlite in
 * the data folder), its migrations, the projection runner, and what the admin service asks of them.
 */
import { join } from "node:path";
import type { Config } from "../../core/config.ts";
import type { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import type { Logger } from "../../core/log.ts";
import { type Database, openDatabase } from "../../projections/db/database.ts";
import { migrate } from "../../projections/db/migrate.ts";
import { scheduleHistoryRetention } from "../../projections/history/partitions.ts";
import { startProjectionThread } from "../../projections/projection-thread.ts";
import { PROJECTIONS } from "../../projections/registry.ts";
import { replay } from "../../projections/replay.ts";
import { projectionRunner } from "../../projections/run-projections.ts";
import { projectionStatus } from "../../projections/status.ts";
import type { ReplayMessage, ReplayRequest } from "./admin.ts";

export type ReadModels = {
  database: Database;
  status(): ReturnType<typeof projectionStatus>;
  replay(req: Pick<ReplayRequest, "projection" | "from">, progress: (m: ReplayMessage) => void): Promise<ReplayMessage>;
  stop(): Promise<void>;
};

export function openReadModelDatabase(config: Config, dataDir: string): Promise<Database> {
  return openDatabase({ url: config.SPOKES_POSTGRES_URL, dataDir: join(dataDir, "pglite") });
}

/** Replays one projection, turning progress into admin messages at most four times a second. */
export async function replayWithProgress(
  database: Database,
  log: JetStreamEventLog,
  req: Pick<ReplayRequest, "projection" | "from">,
  progress: (m: ReplayMessage) => void,
): Promise<ReplayMessage> {
  let last = 0;
  const from = typeof req.from === "string" ? new Date(req.from) : req.from;
  const result = await replay(req.projection, {
    db: database.db,
    log,
    from,
    ...(database.url ? { writerUrl: database.url } : {}),
    onProgress: (p) => {
      const now = Date.now();
      if (now - last < 250 && p.done < p.total) return;
      last = now;
      progress({
        type: "progress",
        done: p.done,
        total: p.total,
        eventsPerSecond: p.eventsPerSecond,
        etaSeconds: p.etaSeconds,
      });
    },
  });
  return { type: "done", ...result };
}

/**
 * Opens the read models and runs the projections: on a thread of their own with a Postgres server (see
 * projections/projection-thread.ts), in this thread with embedded PGlite.
 */
export async function startReadModels(
  config: Config,
  dataDir: string,
  log: JetStreamEventLog,
  natsUrl: string,
  logger: Logger,
): Promise<ReadModels> {
  const database = await openReadModelDatabase(config, dataDir);
  try {
    await migrate(database);
  } catch (err) {
    await database.close();
    throw err;
  }
  const plog = logger.child("projections");
  const onError = (projection: string, err: unknown) =>
    plog.warn("projection paused after an error; retrying", { projection, err });
  let runner: { stop(): Promise<void> };
  try {
    if (config.SPOKES_POSTGRES_URL) {
      runner = await startProjectionThread({
        config,
        natsUrl,
        database: { url: config.SPOKES_POSTGRES_URL },
        onError,
      });
    } else {
      const inProcess = projectionRunner(config, database, log, PROJECTIONS, onError);
      await inProcess.start();
      runner = inProcess;
    }
  } catch (err) {
    await database.close();
    throw err;
  }
  const stopRetention =
    config.SPOKES_HISTORY_MAX_AGE > 0
      ? scheduleHistoryRetention(database.db, config.SPOKES_HISTORY_MAX_AGE, undefined, (err) =>
          plog.warn("dropping old history failed", { err }),
        )
      : () => {};
  return {
    database,
    status: () => projectionStatus(database.db, log),
    replay: (req, progress) => replayWithProgress(database, log, req, progress),
    async stop() {
      stopRetention();
      await runner.stop();
      await database.close();
    },
  };
}
