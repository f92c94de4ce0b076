/**
 * A projection worker as its own process: `node projections/worker-process.ts [projection...]` (all when none).
 * Reads SPOKES_NATS_URL and SPOKES_POSTGRES_URL (PGlite in SPOKES_DATA_DIR when absent); stops on SIGTERM/SIGINT.
 * Prints `ready` once consuming, for the tests that kill it.
 */
import { loadConfig } from "../core/config.ts";
import { JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { openDatabase } from "./db/database.ts";
import { migrate } from "./db/migrate.ts";
import { PROJECTIONS, projectionNamed } from "./registry.ts";
import { ProjectionRunner } from "./runner.ts";

const config = loadConfig(process.env);
const names = process.argv.slice(2);
const unknown = names.filter((n) => projectionNamed(n) === undefined);
if (unknown.length > 0) {
  console.error(`unknown projection: ${unknown.join(", ")}; known: ${PROJECTIONS.map((p) => p.name).join(", ")}`);
  process.exit(2);
}
const chosen = names.length === 0 ? PROJECTIONS : PROJECTIONS.filter((p) => names.includes(p.name));
const database = await openDatabase(
  config.SPOKES_POSTGRES_URL ? { url: config.SPOKES_POSTGRES_URL } : { dataDir: `${config.SPOKES_DATA_DIR}/pglite` },
);
await migrate(database);
const log = await JetStreamEventLog.open({
  servers: config.SPOKES_NATS_URL ?? "nats://127.0.0.1:4222",
  settings: config,
});
const runner = new ProjectionRunner(database.db, log, chosen, {
  batchSize: config.SPOKES_PROJECTION_BATCH_SIZE,
  maxWaitMs: config.SPOKES_PROJECTION_MAX_WAIT,
  onError: (name, err) => console.error(`${name}: ${(err as Error).message}`),
});
await runner.start();
console.log("ready");

const shutdown = async () => {
  await runner.stop();
  await log.close();
  await database.close();
  process.exit(0);
};
process.once("SIGTERM", () => void shutdown());
process.once("SIGINT", () => void shutdown());
