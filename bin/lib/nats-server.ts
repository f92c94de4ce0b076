/**
 * Finding and running a nats-server child process with JetStream. Used by `spokes start` (embedded NATS) and by
 * the test harness, so both run the server the same way.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { delimiter, join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..", "..");

/** The nats-server binary: an explicit path, the project's own `.tools/bin`, or the first on PATH. */
export function findNatsServer(explicit?: string): string | undefined {
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  const local = join(ROOT, ".tools", "bin", "nats-server");
  if (existsSync(local)) return local;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "nats-server");
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export type NatsServerProcess = {
  url: string;
  port: number;
  child: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
};

/** Starts `nats-server -js` on 127.0.0.1:port with its store in `storeDir` (or, with `jetStream: false`, a server without
 * JetStream); resolves when it accepts clients. */
export async function startNatsServer(o: {
  binary: string;
  port: number;
  storeDir: string;
  onLog?: (line: string) => void;
  /** More command-line options (tests use them for authentication). */
  args?: readonly string[];
  /** false: a server without JetStream (tests use it to stand in for one whose JetStream is not ready). */
  jetStream?: boolean;
}): Promise<NatsServerProcess> {
  const jetStream = o.jetStream ?? true;
  if (jetStream) await mkdir(o.storeDir, { recursive: true });
  const args = [
    ...(jetStream ? ["-js", "-sd", o.storeDir] : []),
    "-a",
    "127.0.0.1",
    "-p",
    String(o.port),
    "--server_name",
    "spokes",
    ...(o.args ?? []),
  ];
  const child = spawn(o.binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const ready = new Promise<void>((resolveReady, rejectReady) => {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-4000);
      for (const line of text.split("\n")) if (line.trim()) o.onLog?.(line);
      if (output.includes("Server is ready")) resolveReady();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", rejectReady);
    child.once("exit", (code) => rejectReady(new Error(`nats-server exited with ${code}:\n${output}`)));
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  try {
    await ready;
  } finally {
    clearTimeout(timer);
  }
  const exited = new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else child.once("exit", () => r());
  });
  return {
    url: `nats://127.0.0.1:${o.port}`,
    port: o.port,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
