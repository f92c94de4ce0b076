/**
 * A projection worker as its own process: `node projections/worker-process.ts [projection...]` (all when none).
 * Reads SPOKES_NATS_URL and SPOKES_POSTGRES_URL (PGlite in SPOKES_DATA_DIR when absent); stops on SIGTERM/SIGINT.
 * Prints `ready` once consuming, for the tests that kill it.
 */
import { loadConfig } from "../core/config.ts";
import { PROJECTIONS, projectionNamed } from "./registry.ts";
import { runProjections } from "./run-projections.ts";

const config = loadConfig(process.env);
const names = process.argv.slice(2);
const unknown = names.filter((n) => projectionNamed(n) === undefined);
if (unknown.length > 0) {
  console.error(`unknown projection: ${unknown.join(", ")}; known: ${PROJECTIONS.map((p) => p.name).join(", ")}`);
  process.exit(2);
}
const running = await runProjections({
  config,
  natsUrl: config.SPOKES_NATS_URL ?? "nats://127.0.0.1:4222",
  database: config.SPOKES_POSTGRES_URL
    ? { url: config.SPOKES_POSTGRES_URL }
    : { dataDir: `${config.SPOKES_DATA_DIR}/pglite` },
  names,
  migrate: true,
  onError: (name, err) => console.error(`${name}: ${(err as Error).message}`),
});
console.log("ready");

const shutdown = async () => {
  await running.stop();
  process.exit(0);
};
process.once("SIGTERM", () => void shutdown());
process.once("SIGINT", () => void shutdown());
