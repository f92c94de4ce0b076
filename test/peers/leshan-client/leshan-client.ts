/**
 * Starts the Eclipse Leshan client peer (built by `npm run setup` into .tools/peers) and talks to it over stdin and
 * stdout: commands in, one JSON line per event out.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";

const ROOT = resolve(import.meta.dirname, "..", "..", "..");

const line = z.looseObject({ event: z.string() });
export type LeshanEvent = z.infer<typeof line> & Record<string, string>;

export type LeshanOptions = {
  /** "1.1" runs Leshan 2.0.0-M15, "1.0" runs Leshan 1.5.0. */
  version: "1.1" | "1.0";
  endpoint: string;
  serverUrl: string;
  lifetimeS?: number;
  binding?: "U" | "UQ";
};

export type LeshanClient = {
  events: LeshanEvent[];
  /** Resolves with the first event (seen or future) of that name matching `where` that no earlier call returned. */
  next(event: string, where?: (e: LeshanEvent) => boolean, timeoutMs?: number): Promise<LeshanEvent>;
  /** Sends a command line: `update`, `deregister`, `stop`, `start`, `set /3303/0/5700 21.5`, `quit`. */
  send(command: string): void;
  stop(): Promise<void>;
};

export function leshanJar(version: "1.1" | "1.0"): string {
  return join(ROOT, ".tools", "peers", version === "1.1" ? "leshan-client.jar" : "leshan-client-1.0.jar");
}

export function leshanAvailable(version: "1.1" | "1.0"): boolean {
  return existsSync(leshanJar(version));
}

export function startLeshanClient(o: LeshanOptions): LeshanClient {
  const child: ChildProcessWithoutNullStreams = spawn(
    "java",
    ["-jar", leshanJar(o.version), o.endpoint, o.serverUrl, String(o.lifetimeS ?? 300), o.binding ?? "U"],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  const events: LeshanEvent[] = [];
  const waiters: (() => void)[] = [];
  let stderr = "";
  let buffer = "";
  const consumed = new Set<number>();
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const text = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!text.startsWith("{")) continue;
      const parsed = line.safeParse(JSON.parse(text));
      if (parsed.success) events.push(parsed.data as LeshanEvent);
    }
    for (const w of waiters.splice(0)) w();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4000);
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));

  const next = (event: string, where: (e: LeshanEvent) => boolean = () => true, timeoutMs = 30_000) =>
    new Promise<LeshanEvent>((resolveNext, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(`Leshan did not report ${event} in ${timeoutMs} ms; events: ${JSON.stringify(events)}\n${stderr}`),
        );
      }, timeoutMs);
      const check = () => {
        for (let i = 0; i < events.length; i++) {
          const e = events[i];
          if (e && !consumed.has(i) && e.event === event && where(e)) {
            consumed.add(i);
            clearTimeout(timer);
            resolveNext(e);
            return;
          }
        }
        waiters.push(check);
      };
      check();
    });

  return {
    events,
    next,
    send: (command) => {
      child.stdin.write(`${command}\n`);
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}
