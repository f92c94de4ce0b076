/**
 * Runs the `spokes` command the way a person does, on a chosen runtime, for end-to-end tests.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "node_modules", ".bin");

/** How each runtime runs the CLI's TypeScript entry point. */
export const RUNTIMES = {
  node: [join(BIN, "node"), join(ROOT, "bin", "cli.ts")],
  bun: [join(BIN, "bun"), join(ROOT, "bin", "cli.ts")],
  deno: [join(BIN, "deno"), "run", "-A", join(ROOT, "bin", "cli.ts")],
} as const;
export type Runtime = keyof typeof RUNTIMES;

export type CliResult = { code: number | null; stdout: string; stderr: string };

export function spokes(runtime: Runtime, args: string[], env: Record<string, string>, timeoutMs = 60_000) {
  const [cmd, ...pre] = RUNTIMES[runtime];
  return new Promise<CliResult>((resolveRun, reject) => {
    const child = spawn(cmd, [...pre, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`spokes ${args.join(" ")} timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

export type RunningCli = { child: ChildProcess; output(): string; exited: Promise<number | null> };

const started = new Set<ChildProcess>();

/**
 * Stops every long-running command this file started that still runs (a failed test may leave a hub behind):
 * SIGTERM first so a hub stops its nats-server, SIGKILL after 10 s.
 */
export async function stopAllStarted(): Promise<void> {
  await Promise.all(
    [...started].map(async (child) => {
      started.delete(child);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

/** Starts a long-running command and resolves once its stdout matches `ready`. */
export function spawnUntil(
  runtime: Runtime,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 60_000,
): Promise<RunningCli> {
  const [cmd, ...pre] = RUNTIMES[runtime];
  // Tests never use fixed ports: unless a test picks them, the MQTT endpoints listen on any free port.
  const ports = { SPOKES_MQTT_PORT: "0", SPOKES_MQTT_WS_PORT: "0", SPOKES_COAP_PORT: "0" };
  const child = spawn(cmd, [...pre, ...args], { cwd: ROOT, env: { ...process.env, ...ports, ...env } });
  started.add(child);
  let out = "";
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`not ready after ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d;
      if (ready.test(out)) {
        clearTimeout(timer);
        resolveReady({ child, output: () => out, exited });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready:\n${out}`));
    });
  });
}
