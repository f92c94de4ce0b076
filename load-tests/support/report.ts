/**
 * The results of a load run: one row per figure, absolute and as a ratio to its ceiling (for rates ours ÷ the
 * ceiling's; for latencies the ceiling's ÷ ours, so 1.0 is always "as good as the ceiling"), the goal it is held
 * to, and the errors seen. Written as JSON and as a Markdown table.
 */
import { execFileSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";
import type { K6Summary } from "./processes.ts";

export type Row = {
  runtime: string;
  scenario: string;
  measure: string;
  unit: string;
  status: "ran" | "unavailable" | "failed";
  value?: number;
  ceiling?: { name: string; value: number };
  ratio?: number;
  goal?: string;
  met?: boolean;
  /** Errors in the hub's run of the scenario. */
  errors?: number;
  /** Errors in the ceiling's run (a baseline that errs measures nothing). */
  ceilingErrors?: number;
  note?: string;
};

export type Machine = { cpus: number; model: string; memoryGiB: number; loadBefore: number[]; loadAfter?: number[] };

export function machine(): Machine {
  const c = cpus();
  return {
    cpus: c.length,
    model: c[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadBefore: loadavg().map((l) => Number(l.toFixed(2))),
  };
}

export function commit(root: string): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd: root,
      encoding: "utf8",
    });
    return dirty.trim() ? `${head} (with uncommitted changes)` : head;
  } catch {
    return "unknown";
  }
}

/** Errors a k6 run recorded: failed requests, failed checks, exceptions, WebSocket and MQTT errors. */
export function k6Errors(s: K6Summary | undefined): number {
  if (!s) return Number.NaN;
  const m = s.metrics;
  const count = (name: string) => m[name]?.values.count ?? 0;
  return (
    (m.http_req_failed?.values.passes ?? 0) +
    (m.checks?.values.fails ?? 0) +
    count("script_errors") +
    count("ws_errors") +
    count("notifications_repeated") +
    count("notifications_misrouted") +
    count("mqtt_errors") +
    count("mqtt_unacked")
  );
}

export const metricValue = (s: K6Summary | undefined, metric: string, stat: string): number | undefined =>
  s?.metrics[metric]?.values[stat];

const fmt = (n: number | undefined, unit: string) => {
  if (n === undefined || Number.isNaN(n)) return "–";
  if (unit === "ms") return n.toFixed(2);
  return Math.round(n).toLocaleString("en-US");
};

export function ratioOf(value: number | undefined, ceiling: number | undefined, lowerIsBetter: boolean) {
  if (value === undefined || ceiling === undefined || value <= 0 || ceiling <= 0) return undefined;
  return Number((lowerIsBetter ? ceiling / value : value / ceiling).toFixed(2));
}

export function markdown(
  rows: Row[],
  head: {
    readModels: string;
    date: string;
    commit: string;
    machine: Machine;
    runtimes: Record<string, string>;
    smoke: boolean;
    seconds: number;
  },
): string {
  const m = head.machine;
  const lines = [
    `### ${head.date.slice(0, 10)}, commit \`${head.commit}\`${head.smoke ? " (smoke run: proves the scenarios run, judges no speed)" : ""}`,
    "",
    `Machine: ${m.cpus} × ${m.model}, ${m.memoryGiB} GiB; load average before ${m.loadBefore.join(" / ")}` +
      (m.loadAfter ? `, after ${m.loadAfter.join(" / ")}` : "") +
      `. Hub runtimes: ${Object.values(head.runtimes).join(", ")}; read models on ${head.readModels}. ${head.seconds} s per scenario and target; ` +
      `started ${head.date}. Ratio: hub ÷ ceiling for rates, ceiling ÷ hub for latencies (1 = as good as the ceiling).`,
    "",
    "| runtime | scenario | measure | hub | ceiling | ratio | goal | errors (hub / ceiling) |",
    "|---|---|---|---:|---|---:|---|---:|",
  ];
  for (const r of rows) {
    const value =
      r.status === "ran"
        ? `${fmt(r.value, r.unit)} ${r.unit}`
        : r.status === "unavailable"
          ? "not available"
          : "failed";
    const ceiling = r.ceiling ? `${fmt(r.ceiling.value, r.unit)} (${r.ceiling.name})` : "–";
    const goal = r.goal ? `${r.goal}${r.met === undefined ? "" : r.met ? " ✓" : " ✗"}` : "–";
    const count = (n: number | undefined) => (n === undefined ? "–" : Number.isNaN(n) ? "?" : String(n));
    const errors = `${count(r.errors)} / ${count(r.ceilingErrors)}`;
    const note = r.note ? ` — ${r.note}` : "";
    lines.push(
      `| ${r.runtime} | ${r.scenario} | ${r.measure}${note} | ${value} | ${ceiling} | ${r.ratio ?? "–"} | ${goal} | ${errors} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** What a scenario measured for one row, before it is judged and turned into a Row. */
export type Figure = {
  value?: number | undefined;
  ceiling?: { name: string; value: number | undefined };
  lowerIsBetter?: boolean;
  goal?: string;
  /** Whether the goal is met; judged in full runs only, unless `judgeInSmoke` (a count, not a speed). */
  met?: (value: number, ratio: number | undefined) => boolean;
  judgeInSmoke?: boolean;
  /** Why the hub's side could not run; the row then says "not available" and still shows the ceiling. */
  missing?: string | undefined;
  failed?: boolean;
  errors?: number | undefined;
  ceilingErrors?: number | undefined;
  note?: string;
};

export function figureRow(
  where: { runtime: string; scenario: string; measure: string; unit: string },
  f: Figure,
  smoke: boolean,
): Row {
  const ratio = f.missing ? undefined : ratioOf(f.value, f.ceiling?.value, f.lowerIsBetter ?? false);
  const judged = f.met && f.value !== undefined && !f.missing && (!smoke || f.judgeInSmoke);
  return {
    ...where,
    status: f.missing ? "unavailable" : f.failed ? "failed" : "ran",
    ...(f.value !== undefined && !f.missing ? { value: f.value } : {}),
    ...(f.ceiling?.value !== undefined ? { ceiling: { name: f.ceiling.name, value: f.ceiling.value } } : {}),
    ...(ratio !== undefined ? { ratio } : {}),
    ...(f.goal ? { goal: f.goal } : {}),
    ...(judged && f.met ? { met: f.met(f.value as number, ratio) } : {}),
    ...(f.errors !== undefined && !f.missing ? { errors: f.errors } : {}),
    ...(f.ceilingErrors !== undefined ? { ceilingErrors: f.ceilingErrors } : {}),
    ...(f.missing ? { note: f.missing } : f.note ? { note: f.note } : {}),
  };
}
