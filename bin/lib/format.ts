/** Small helpers for the CLI's human-readable output. */
import type { LoggedEvent } from "../../core/event-log.ts";
import { parseSubject } from "../../core/subjects.ts";

export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function table(rows: (string | number)[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, c) =>
          typeof cell === "number" ? String(cell).padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0),
        )
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** One line per event: stream and sequence, time, the decoded address, the type and the payload. */
export function eventLine(e: LoggedEvent): string {
  let address: string;
  try {
    address = Object.entries(parseSubject(e.subject))
      .map(([k, v]) => (k === "kind" ? v : `${k}=${JSON.stringify(v)}`))
      .join(" ");
  } catch {
    address = e.subject;
  }
  const data = JSON.stringify(e.data);
  return `${e.stream}#${e.seq} ${e.time} ${e.type.replace(/^spokes\./, "")} ${address} ${data.length > 300 ? `${data.slice(0, 300)}…` : data}`;
}

export function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}
