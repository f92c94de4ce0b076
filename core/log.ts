/**
 * A small leveled logger writing one line per record to stderr. Fields whose names suggest a secret are redacted,
 * and passwords inside URLs are masked, so secrets never reach logs even by accident.
 */
export type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /pass(word)?|secret|token|credential|authorization|cookie|private/i;

export type Logger = {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(component: string): Logger;
};

/** Masks the password of any URL in the text (`postgres://u:secret@h` → `postgres://u:***@h`). */
export function maskUrls(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, "$1***@");
}

function render(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(maskUrls(`${value.name}: ${value.message}`));
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return maskUrls(/[\s"=]/.test(text ?? "") ? JSON.stringify(text) : String(text));
}

export function formatRecord(level: Level, component: string, msg: string, fields: Record<string, unknown> = {}) {
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${SECRET_KEY.test(k) ? "[redacted]" : render(v)}`);
  return `${new Date().toISOString()} ${level.padEnd(5)} ${component} ${maskUrls(msg)}${parts.length ? ` ${parts.join(" ")}` : ""}`;
}

export function createLogger(
  level: Level = "info",
  component = "spokes",
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Logger {
  const at = (l: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[l] >= ORDER[level]) write(formatRecord(l, component, msg, fields));
  };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (name) => createLogger(level, `${component}/${name}`, write),
  };
}
