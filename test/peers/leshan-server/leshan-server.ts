/**
 * Starts the Eclipse Leshan LwM2M server peer (test/peers/leshan-server, built by `bash scripts/setup.sh` into
 * .tools/peers/leshan-server.jar) on a free UDP port, and drives it through its HTTP/JSON control API.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { freePort } from "../../harness/ports.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const JARS = [
  resolve(ROOT, ".tools/peers/leshan-server.jar"),
  resolve(ROOT, "test/peers/leshan-server/target/leshan-server.jar"),
];

/** A UDP port that was free on 127.0.0.1 a moment ago. */
export function freeUdpPort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createSocket("udp4");
    s.on("error", fail);
    s.bind(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => done(port));
    });
  });
}

export type LeshanEvent = {
  seq: number;
  kind: "registered" | "updated" | "deregistered" | "expired" | "notification" | "observe-error";
  endpoint: string;
  registrationId: string;
  at: number;
  path?: string;
  observe?: number;
  content?: LeshanNode;
  error?: string;
};

export type LeshanNode =
  | { kind: "resource"; id: number; type: string; value: unknown }
  | { kind: "instance"; id: number; resources: LeshanNode[] }
  | { kind: "object"; id: number; instances: LeshanNode[] };

export type LeshanResponse = { code: string; coap?: number; error?: string | null; content?: LeshanNode };

export type LeshanRegistration = {
  endpoint: string;
  id: string;
  lifetime: number;
  version: string;
  binding: string;
  objectLinks: string[];
};

export type LeshanServer = {
  coapPort: number;
  url: string;
  /** The bootstrap server's URL, when started with `{ bootstrap: true }`. */
  bootstrapUrl?: string;
  /** Tells the bootstrap server to send `endpoint` to `serverUrl` with this lifetime. */
  bootstrapConfig(endpoint: string, serverUrl: string, lifetimeSeconds: number): Promise<void>;
  clients(): Promise<LeshanRegistration[]>;
  /** `resources`: `id:R|W|RW|E:STRING|INTEGER|FLOAT|BOOLEAN|OPAQUE|TIME|NONE`, comma-separated. */
  addModel(objectId: number, resources: string): Promise<void>;
  call(endpoint: string, op: string, query: Record<string, string | number>): Promise<LeshanResponse>;
  /** Waits for the first event after the ones already seen that satisfies `match`. */
  waitFor(match: (e: LeshanEvent) => boolean, timeoutMs?: number): Promise<LeshanEvent>;
  /** Stops the server (its registrations are lost) and starts a new one on the same ports. */
  restart(): Promise<void>;
  stop(): Promise<void>;
};

function jarPath(): string {
  const jar = JARS.find((j) => existsSync(j));
  if (!jar) throw new Error("the Leshan server peer is not built: run `bash scripts/setup.sh`");
  return jar;
}

function launch(coapPort: number, httpPort: number, bootstrapPort?: number): Promise<ChildProcess> {
  const args = ["-jar", jarPath(), "--coap-port", String(coapPort), "--http-port", String(httpPort)];
  if (bootstrapPort) args.push("--bootstrap-port", String(bootstrapPort));
  const child = spawn("java", args, { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((done, fail) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error(`Leshan did not start:\n${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("READY")) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        done(child);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (c: Buffer) => {
      if (process.env.LESHAN_LOG) process.stderr.write(c);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`Leshan exited with ${code}:\n${out}`));
    });
  });
}

export async function startLeshanServer(o: { bootstrap?: boolean } = {}): Promise<LeshanServer> {
  const coapPort = await freeUdpPort();
  const httpPort = await freePort();
  const bootstrapPort = o.bootstrap ? await freeUdpPort() : undefined;
  let child = await launch(coapPort, httpPort, bootstrapPort);
  let seen = 0;
  const api = `http://127.0.0.1:${httpPort}`;
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${api}${path}`, { method: "POST" });
    const body = (await res.json()) as T & { error?: string };
    if (res.status !== 200) throw new Error(`Leshan ${path}: ${res.status} ${body.error ?? ""}`);
    return body;
  };
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  };
  return {
    coapPort,
    url: `coap://127.0.0.1:${coapPort}`,
    ...(bootstrapPort ? { bootstrapUrl: `coap://127.0.0.1:${bootstrapPort}` } : {}),
    bootstrapConfig: async (endpoint, serverUrl, lifetime) => {
      const q = new URLSearchParams({ endpoint, server: serverUrl, lifetime: String(lifetime) });
      await get(`/bootstrap-config?${q}`);
    },
    clients: () => get("/clients"),
    addModel: async (objectId, resources) => {
      await get(`/models?object=${objectId}&resources=${encodeURIComponent(resources)}`);
    },
    call: (endpoint, op, query) => {
      const q = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
      return get(`/clients/${encodeURIComponent(endpoint)}/${op}?${q}`);
    },
    async waitFor(match, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const wait = Math.min(5_000, deadline - Date.now());
        const events = await get<LeshanEvent[]>(`/events?since=${seen}&wait=${wait}`);
        for (const e of events) {
          seen = e.seq;
          if (match(e)) return e;
        }
      }
      throw new Error("the expected Leshan event did not come");
    },
    async restart() {
      await stop();
      seen = 0;
      child = await launch(coapPort, httpPort, bootstrapPort);
    },
    stop,
  };
}
