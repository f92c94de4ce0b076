/**
 * The ceiling for device ingest into the log: a bare HTTP server that publishes each event body to JetStream
 * exactly as received (raw `js.publish`, no validation, no headers, no auth) and answers 204 once the server
 * acknowledged the store. Same paths as the hub; anything else is answered 204 at once.
 * Its stream `LOADBASE` (subjects `loadbase.>`, file storage) lives on the nats-server given.
 *
 *   node load-tests/baselines/http-jetstream.ts --nats nats://127.0.0.1:4222 [--port 8080]
 */
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { readBody, serve } from "./serve.ts";

const { values } = parseArgs({
  options: { port: { type: "string", default: "0" }, nats: { type: "string", default: "nats://127.0.0.1:4222" } },
});

const nc = await connect({ servers: values.nats });
const jsm = await jetstreamManager(nc);
await jsm.streams.add({ name: "LOADBASE", subjects: ["loadbase.>"] }).catch(async () => {
  await jsm.streams.purge("LOADBASE");
});
const js = jetstream(nc);

/** One subject token per Thing, like the hub's (dots and wildcards would split or widen it). */
const token = (s: string) => Buffer.from(s).toString("base64url");

const server = createServer((req, res) => {
  void (async () => {
    const data = await readBody(req);
    const path = (req.url ?? "/").split("?")[0]?.split("/").map(decodeURIComponent) ?? [];
    if (req.method === "POST" && path[1] === "things" && path[3] === "event") {
      await js.publish(`loadbase.${token(path[2] ?? "")}.${token(path[4] ?? "")}`, data);
    }
    res.writeHead(204).end();
  })().catch(() => res.writeHead(503).end());
});
serve(server, Number(values.port), () => {
  server.close();
  server.closeAllConnections();
  void nc.close().finally(() => process.exit(0));
});
