/**
 * CPU time of the processes in a benchmark, read from /proc (Linux), so a run can say what each part cost per
 * message: the hub's own process, nats-server, Postgres (the postmaster and every connection's process), the
 * broker of a baseline. Elsewhere the figures are absent rather than wrong.
 */
import { readdirSync, readFileSync } from "node:fs";

const TICK_MS = 10; // USER_HZ is 100 on Linux for every architecture Node runs on

/** `cpuMs`: the process's own time; `reapedMs`: that of its children that have ended and been waited for. */
type Stat = { ppid: number; cpuMs: number; reapedMs: number };

function stat(pid: number | string): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name sits in parentheses and may itself hold spaces or parentheses: split after the last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const ppid = Number(fields[1]);
    const cpuMs = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    const reapedMs = (Number(fields[13]) + Number(fields[14])) * TICK_MS;
    return Number.isFinite(cpuMs) && Number.isFinite(reapedMs) ? { ppid, cpuMs, reapedMs } : undefined;
  } catch {
    return undefined;
  }
}

/** User + system CPU milliseconds of this process so far (all its threads). */
export function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * User + system CPU milliseconds of one process, or with `tree` of it and all its descendants, those that have
 * ended included (such as a Postgres connection closed since the last reading, whose time the postmaster collects).
 */
export function cpuMs(pid: number | undefined, tree = false): number | undefined {
  if (pid === undefined) return undefined;
  const own = stat(pid);
  if (!own || !tree) return own?.cpuMs;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return own.cpuMs + own.reapedMs;
  }
  const children = new Map<number, number[]>();
  const times = new Map<number, number>();
  for (const p of pids) {
    const s = stat(p);
    if (!s) continue;
    times.set(Number(p), s.cpuMs + s.reapedMs);
    const list = children.get(s.ppid) ?? [];
    list.push(Number(p));
    children.set(s.ppid, list);
  }
  let total = 0;
  const walk = [pid];
  while (walk.length) {
    const p = walk.pop() as number;
    total += times.get(p) ?? 0;
    walk.push(...(children.get(p) ?? []));
  }
  return total;
}

export type Meter = Record<string, () => number | undefined | Promise<number | undefined>>;

async function readAll(meter: Meter): Promise<Record<string, number | undefined>> {
  const entries = await Promise.all(Object.entries(meter).map(async ([name, read]) => [name, await read()] as const));
  return Object.fromEntries(entries);
}

/**
 * Reads each named part's CPU milliseconds now; the returned function reads them again and gives what each used
 * since, in microseconds per message (one decimal) for `messages` messages (absent when the part could not be read).
 */
export async function cpuSince(
  meter: Meter,
): Promise<(messages: number) => Promise<Record<string, number | undefined>>> {
  const before = await readAll(meter);
  return async (messages) => {
    const after = await readAll(meter);
    return Object.fromEntries(
      Object.keys(meter).map((name) => {
        const [a, b] = [before[name], after[name]];
        return [name, a === undefined || b === undefined ? undefined : Math.round(((b - a) * 10_000) / messages) / 10];
      }),
    );
  };
}
