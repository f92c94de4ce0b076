/**
 * A real Postgres server for tests: initdb in a temporary folder, trust auth, a free port on 127.0.0.1, torn down
 * after. Postgres refuses to run as root, so as root the server runs as the `postgres` user.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForPort } from "./ports.ts";

export type TestPostgres = {
  url: string;
  /** The postmaster's process id; its connections are its child processes. */
  pid: number | undefined;
  stop(): Promise<void>;
};

function pgBinDir(): string {
  if (process.env.SPOKES_PG_BIN) return process.env.SPOKES_PG_BIN;
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, "bin", "initdb"))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error("Postgres server not found: run `npm run setup` (npm test does it for you)");
  return join(base, newest, "bin");
}

function asPostgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  return { uid, gid };
}

/**
 * The port opens before the server accepts queries ("the database system is starting up"): wait until
 * `pg_isready` says it accepts connections.
 */
async function waitForQueries(bin: string, port: number, socketDir: string, user?: { uid: number; gid: number }) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      execFileSync(join(bin, "pg_isready"), ["-q", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres"], {
        stdio: "ignore",
        ...(user ?? {}),
      });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`Postgres on port ${port} (${socketDir}) did not accept connections`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = pgBinDir();
  const user = asPostgresUser();
  const dir = mkdtempSync(join(tmpdir(), "spokes-pg-"));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, "data");
  execFileSync(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], {
    stdio: "pipe",
    ...(user ?? {}),
  });
  const port = await freePort();
  const args = ["-D", data, "-p", String(port), "-k", dir, "-h", "127.0.0.1", "-F", "-c", "max_connections=200"];
  const child: ChildProcess = spawn(join(bin, "postgres"), args, { stdio: "ignore", ...(user ?? {}) });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  await waitForPort(port, 30_000);
  await waitForQueries(bin, port, dir, user);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGINT");
        const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(kill);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
