/** A real nats-server with JetStream on a free port in a temporary folder, for integration tests. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findNatsServer, startNatsServer } from "../../bin/lib/nats-server.ts";
import { freePort } from "./ports.ts";

export type TestNats = {
  url: string;
  dir: string;
  /** The server process's id (it changes with `restart`). */
  pid(): number | undefined;
  /**
   * Stops the server and starts it again on the same port and store. With `withoutJetStreamMs`, a server without
   * JetStream answers on the port for that long first, as when a server is back before its JetStream is.
   */
  restart(o?: { withoutJetStreamMs?: number }): Promise<void>;
  stop(): Promise<void>;
};

/** `args`: more nats-server options, such as `--user u --pass p`. */
export async function startTestNats(o: { args?: readonly string[] } = {}): Promise<TestNats> {
  const binary = findNatsServer(process.env.SPOKES_NATS_SERVER);
  if (!binary) throw new Error("nats-server not found: run `npm run setup` (npm test does it for you)");
  const dir = await mkdtemp(join(tmpdir(), "spokes-nats-"));
  const port = await freePort();
  let server = await startNatsServer({
    binary,
    port,
    storeDir: join(dir, "store"),
    ...(o.args ? { args: o.args } : {}),
  });
  return {
    url: server.url,
    dir,
    pid: () => server.child.pid,
    async restart(r = {}) {
      await server.stop();
      if (r.withoutJetStreamMs !== undefined) {
        const bare = await startNatsServer({ binary, port, storeDir: dir, jetStream: false });
        await new Promise((resolve) => setTimeout(resolve, r.withoutJetStreamMs));
        await bare.stop();
      }
      server = await startNatsServer({
        binary,
        port,
        storeDir: join(dir, "store"),
        ...(o.args ? { args: o.args } : {}),
      });
    },
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
