/** Helpers for the projections' integration tests (real Postgres and nats-server from test/harness). */
import postgres from "postgres";

let counter = 0;

/** Creates an empty database on the test server and returns its URL, so tests sharing a server do not meet. */
export async function freshDatabaseUrl(serverUrl: string): Promise<string> {
  const name = `t${process.pid}_${Date.now()}_${counter++}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Polls `check` until it returns true, or throws after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 30_000, what = "condition") {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
