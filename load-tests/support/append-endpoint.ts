/**
 * A stand-in event source for the subscription scenario when the hub serves no device HTTP endpoint: the same
 * paths (`PUT /things/{thing}/td`, `POST /things/{thing}/event/{name}`), no authentication, each request appended
 * to the hub's log through the event log as a binding would, answered 204 once stored. The driver reports its use.
 *
 *   node load-tests/support/append-endpoint.ts --nats nats://127.0.0.1:4222 [--port 0]
 */
import { createServer, type IncomingMessage } from "node:http";
import { parseArgs } from "node:util";
import { loadConfig } from "../../core/config.ts";
import { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { subjects } from "../../core/subjects.ts";

const { values } = parseArgs({
  options: { port: { type: "string", default: "0" }, nats: { type: "string", default: "nats://127.0.0.1:4222" } },
});
const log = await JetStreamEventLog.open({ servers: values.nats, settings: loadConfig({}), ensure: false });

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const server = createServer((req, res) => {
  void (async () => {
    const data = JSON.parse(await body(req)) as unknown;
    const [, root, thing = "", kind, name = ""] =
      (req.url ?? "/").split("?")[0]?.split("/").map(decodeURIComponent) ?? [];
    if (root !== "things") return res.writeHead(404).end();
    if (req.method === "PUT" && kind === "td") {
      await log.append({ subject: subjects.thingTd(thing), type: "spokes.ThingDescribed", data, source: "load" });
    } else if (req.method === "POST" && kind === "event") {
      await log.append({ subject: subjects.event(thing, name), type: "spokes.EventEmitted", data, source: "load" });
    } else return res.writeHead(404).end();
    res.writeHead(204).end();
  })().catch((err: unknown) => {
    process.stderr.write(`append failed: ${String(err)}\n`);
    res.writeHead(503).end();
  });
});
server.listen(Number(values.port), "127.0.0.1", () => {
  const addr = server.address();
  process.stdout.write(`listening ${typeof addr === "object" && addr ? addr.port : 0}\n`);
});
const stop = () => {
  server.close();
  server.closeAllConnections();
  void log.close().finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
