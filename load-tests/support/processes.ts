/**
 * The processes a load run starts: baseline servers on a chosen runtime, mosquitto, and k6 itself. Each is
 * stopped by its own handle; nothing is killed by name.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, type Runtime } from "../../test/harness/cli.ts";
import { freePort, waitForPort } from "../../test/harness/ports.ts";

const BIN = join(ROOT, "node_modules", ".bin");

/** How each runtime runs a TypeScript file of ours. */
export function scriptCommand(runtime: Runtime, file: string): string[] {
  if (runtime === "deno") return [join(BIN, "deno"), "run", "-A", file];
  return [join(BIN, runtime), file];
}

export type Child = { child: ChildProcess; output(): string; stop(): Promise<void> };

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
}

/** Starts a server script that prints `listening <port>` once it accepts connections. */
export function startListening(cmd: string[], timeoutMs = 60_000): Promise<Child & { port: number }> {
  const [bin, ...args] = cmd;
  const child = spawn(bin as string, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cmd.join(" ")} did not listen within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), output: () => out, stop: stopper(child) });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd.join(" ")} exited with ${code}:\n${out}`));
    });
  });
}

export const MOSQUITTO = "/usr/sbin/mosquitto";

/** A plain mosquitto on free ports (TCP and WebSocket; mosquitto will not start a WebSocket listener alone). */
export async function startMosquitto(): Promise<Child & { tcpPort: number; wsPort: number }> {
  const binary = existsSync(MOSQUITTO) ? MOSQUITTO : "mosquitto";
  const dir = await mkdtemp(join(tmpdir(), "spokes-mosquitto-"));
  const [tcpPort, wsPort] = [await freePort(), await freePort()];
  const conf = join(dir, "mosquitto.conf");
  await writeFile(
    conf,
    [
      `listener ${tcpPort} 127.0.0.1`,
      "allow_anonymous true",
      `listener ${wsPort} 127.0.0.1`,
      "protocol websockets",
      "persistence false",
      "max_inflight_messages 0",
      "max_queued_messages 0",
      "",
    ].join("\n"),
  );
  const child = spawn(binary, ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    out += d;
  });
  const stop = stopper(child);
  try {
    await Promise.all([waitForPort(tcpPort, 10_000), waitForPort(wsPort, 10_000)]);
  } catch (err) {
    await stop();
    throw new Error(`mosquitto did not start: ${String(err)}\n${out}`);
  }
  return {
    child,
    tcpPort,
    wsPort,
    output: () => out,
    async stop() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The k6 binary the project installs (scripts/setup.sh), or K6_BINARY. */
export function findK6(): string | undefined {
  const candidates = [process.env.K6_BINARY, join(ROOT, ".tools", "bin", "k6")];
  return candidates.find((c): c is string => c !== undefined && existsSync(c));
}

export type K6Run = { code: number | null; output: string; summary?: K6Summary };
export type K6Metric = { type: string; values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> };
export type K6Summary = { metrics: Record<string, K6Metric>; state?: { testRunDurationMs?: number } };

/** Runs one k6 scenario with `-e` variables; the summary comes from its handleSummary (SUMMARY_FILE). */
export async function runK6(
  k6: string,
  script: string,
  vars: Record<string, string>,
  summaryFile: string,
  timeoutMs: number,
): Promise<K6Run> {
  const args = ["run", "--quiet", "--no-color", "--no-usage-report"];
  for (const [k, v] of Object.entries({ ...vars, SUMMARY_FILE: summaryFile })) args.push("-e", `${k}=${v}`);
  args.push(join(ROOT, "load-tests", script));
  const child = spawn(k6, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, K6_AUTO_EXTENSION_RESOLUTION: "false", K6_NO_USAGE_REPORT: "true" },
  });
  let output = "";
  child.stdout.on("data", (d) => {
    output += d;
  });
  child.stderr.on("data", (d) => {
    output += d;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  clearTimeout(timer);
  let summary: K6Summary | undefined;
  try {
    summary = JSON.parse(await readFile(summaryFile, "utf8")) as K6Summary;
  } catch {
    summary = undefined;
  }
  return { code, output, ...(summary ? { summary } : {}) };
}

/** Runs a command to its end and returns its stdout (for the Node MQTT driver). */
export function runToEnd(
  cmd: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [bin, ...args] = cmd;
  const child = spawn(bin as string, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

export type DriverResult = { rate: number; errors: number; unacked: number; acked: number };

/** The Node MQTT driver (load-tests/mqtt-driver.ts) on a runtime, against one broker; undefined if it failed. */
export async function mqttDriver(
  runtime: Runtime,
  o: { url: string; dataFile: string; anonymous: boolean; devices: number; window: number; seconds: number },
): Promise<{ result?: DriverResult; stderr: string }> {
  const cmd = [
    ...scriptCommand(runtime, join(ROOT, "load-tests", "mqtt-driver.ts")),
    ...["--url", o.url, "--data", o.dataFile, "--devices", String(o.devices), "--window", String(o.window)],
    ...["--seconds", String(o.seconds), ...(o.anonymous ? ["--anonymous"] : [])],
  ];
  const res = await runToEnd(cmd, (o.seconds + 60) * 1000);
  try {
    return { result: JSON.parse(res.stdout.trim().split("\n").at(-1) ?? "") as DriverResult, stderr: res.stderr };
  } catch {
    return { stderr: res.stderr };
  }
}
