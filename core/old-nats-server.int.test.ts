/**
 * An old nats-server silently ignores settings it does not know, so the hub must refuse it before creating
 * anything. The peer here is a few lines that speak just enough of the NATS protocol to announce an old version.
 */
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spokes } from "../test/harness/cli.ts";
import { loadConfig } from "./config.ts";
import { UnavailableError } from "./errors.ts";
import { JetStreamEventLog } from "./jetstream-event-log.ts";

function fakeServer(version: string): Promise<{ server: Server; url: string }> {
  const server = createServer((socket) => {
    socket.write(`INFO {"server_id":"old","version":"${version}","proto":1,"headers":true,"max_payload":1048576}\r\n`);
    socket.on("data", (chunk) => {
      if (chunk.toString().includes("PING")) socket.write("PONG\r\n");
    });
    socket.on("error", () => {});
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({ server, url: `nats://127.0.0.1:${typeof address === "object" && address ? address.port : 0}` });
    }),
  );
}

describe("a nats-server too old for the hub", () => {
  let old: { server: Server; url: string };
  beforeAll(async () => {
    old = await fakeServer("2.9.10");
  });
  afterAll(() => {
    old.server.close();
  });

  it("is refused at connect with a message naming the version needed and how to get it", async () => {
    const attempt = JetStreamEventLog.open({ servers: old.url, settings: loadConfig({}) });
    await expect(attempt).rejects.toBeInstanceOf(UnavailableError);
    await expect(attempt).rejects.toThrow(/nats-server 2\.9\.10 is too old: Spokes needs 2\.10\.0 or later/);
  });

  it("stops `spokes start` with that message and exit code 1", async () => {
    const r = await spokes("node", ["start"], {
      SPOKES_NATS_URL: old.url,
      SPOKES_DATA_DIR: join(tmpdir(), "spokes-old-nats"),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/too old: Spokes needs 2\.10\.0 or later .*npm run setup/);
  });
});
