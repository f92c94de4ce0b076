/**
 * The ceiling for the HTTP scenarios: a bare server on the same paths as the hub with nothing behind them.
 * Every request is read to the end and answered 204, except where a scenario needs an answer to go on:
 *
 * - `POST /things/{thing}/event/{name}` also relays the body to WebSocket subscribers of that Thing, speaking
 *   just enough of the graphql-transport-ws protocol (ack, next, pong) for the subscription scenario;
 * - `POST /graphql` with `invokeAction` waits until a device reports the action done, like `waitFor: COMPLETED`;
 *   `GET /devices/{device}/actions?wait=s` hands out waiting actions (any device takes any), and
 *   `POST /actions/{id}/status` completes one.
 *
 * Runs on Node, Bun and Deno: `node load-tests/baselines/bare-http.ts --port 8080`; prints `listening <port>`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { parseArgs } from "node:util";
import { type WebSocket, WebSocketServer } from "ws";
import { readBody, serve } from "./serve.ts";

const { values } = parseArgs({ options: { port: { type: "string", default: "0" } } });

const subscribers = new Map<string, Set<{ ws: WebSocket; id: string }>>();
type Pending = { actionId: string; thing: string; name: string; requestedAt: string };
const queue: Pending[] = [];
const waitingDevices = new Set<(a: Pending[]) => void>();
const waitingInvokes = new Map<string, ServerResponse>();
let actions = 0;

function reply(res: ServerResponse, status: number, json?: unknown) {
  if (json === undefined) res.writeHead(status).end();
  else res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
}

function handOut(): void {
  if (queue.length === 0) return;
  const next = waitingDevices.values().next();
  if (next.done) return;
  waitingDevices.delete(next.value);
  next.value(queue.splice(0));
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const text = (await readBody(req)).toString("utf8");
  const url = new URL(req.url ?? "/", "http://x");
  const path = url.pathname.split("/").map(decodeURIComponent);
  if (req.method === "POST" && path[1] === "things" && path[3] === "event") {
    for (const s of subscribers.get(path[2] ?? "") ?? []) {
      s.ws.send(
        JSON.stringify({ id: s.id, type: "next", payload: { data: { thingEvents: { value: JSON.parse(text) } } } }),
      );
    }
    return reply(res, 204);
  }
  if (req.method === "POST" && url.pathname === "/graphql" && text.includes("invokeAction")) {
    const vars = (JSON.parse(text) as { variables?: { thing?: string; name?: string } }).variables ?? {};
    const actionId = `a-${++actions}`;
    waitingInvokes.set(actionId, res);
    queue.push({ actionId, thing: vars.thing ?? "", name: vars.name ?? "", requestedAt: new Date().toISOString() });
    return handOut();
  }
  if (req.method === "GET" && path[1] === "devices" && path[3] === "actions") {
    const wait = Number(url.searchParams.get("wait") ?? 0) * 1000;
    const deliver = (a: Pending[]) => {
      clearTimeout(timer);
      reply(res, 200, a);
    };
    const timer = setTimeout(() => {
      waitingDevices.delete(deliver);
      reply(res, 204);
    }, wait);
    waitingDevices.add(deliver);
    return handOut();
  }
  if (req.method === "POST" && path[1] === "actions" && path[3] === "status") {
    const invoke = waitingInvokes.get(path[2] ?? "");
    waitingInvokes.delete(path[2] ?? "");
    if (invoke) reply(invoke, 200, { data: { invokeAction: { actionId: path[2], state: "COMPLETED" } } });
    return reply(res, 204);
  }
  reply(res, 204);
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => reply(res, 400));
});
const wss = new WebSocketServer({
  server,
  handleProtocols: (p) => (p.has("graphql-transport-ws") ? "graphql-transport-ws" : false),
});
wss.on("connection", (ws) => {
  const mine: { thing: string; entry: { ws: WebSocket; id: string } }[] = [];
  ws.on("message", (raw) => {
    const msg = JSON.parse(String(raw)) as { type: string; id?: string; payload?: { variables?: { thing?: string } } };
    if (msg.type === "connection_init") ws.send(JSON.stringify({ type: "connection_ack" }));
    else if (msg.type === "ping") ws.send(JSON.stringify({ type: "pong" }));
    else if (msg.type === "subscribe" && msg.id) {
      const thing = msg.payload?.variables?.thing ?? "";
      const entry = { ws, id: msg.id };
      if (!subscribers.has(thing)) subscribers.set(thing, new Set());
      subscribers.get(thing)?.add(entry);
      mine.push({ thing, entry });
    }
  });
  ws.on("close", () => {
    for (const { thing, entry } of mine) subscribers.get(thing)?.delete(entry);
  });
});
serve(server, Number(values.port), () => {
  wss.close();
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
