import { readFileSync } from "node:fs";
import { ValidationError } from "../../core/errors.ts";
import type { AppendRequest } from "../../core/event-log.ts";
import { subjects } from "../../core/subjects.ts";
import type { Command } from "../lib/command.ts";
import { connectToHub } from "../lib/hub.ts";

/** JSON from an argument: a file path, `-` for standard input, or the JSON text itself. */
export function readJson(arg: string | undefined, what: string): unknown {
  if (arg === undefined) throw new ValidationError(`${what} is missing`);
  let text = arg;
  if (arg === "-") text = readFileSync(0, "utf8");
  else if (!/^\s*[[{"\d-]|^(true|false|null)$/.test(arg)) {
    try {
      text = readFileSync(arg, "utf8");
    } catch {
      throw new ValidationError(`${what}: "${arg}" is neither JSON nor a readable file`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

function request(kind: string | undefined, args: string[]): AppendRequest {
  const [a, b, c] = args;
  switch (kind) {
    case "td": {
      const td = readJson(a, "the TD") as { id?: unknown };
      if (typeof td?.id !== "string") throw new ValidationError("the TD needs a string id");
      return { subject: subjects.thingTd(td.id), type: "spokes.ThingDescribed", data: td };
    }
    case "event":
      if (!a || !b) throw new ValidationError("usage: spokes append event <thing> <name> [<json>]");
      return {
        subject: subjects.event(a, b),
        type: "spokes.EventEmitted",
        data: c === undefined ? null : readJson(c, "the value"),
      };
    case "property":
      if (!a || !b) throw new ValidationError("usage: spokes append property <thing> <name> <json>");
      return { subject: subjects.property(a, b), type: "spokes.PropertyReported", data: readJson(c, "the value") };
    case "raw":
      if (!a || !b) throw new ValidationError("usage: spokes append raw <subject> <type> <json>");
      return { subject: a, type: b, data: readJson(c, "the payload") };
    default:
      throw new ValidationError(`append what? td, event, property or raw (got "${kind ?? ""}")`);
  }
}

export const append: Command = {
  name: "append",
  summary: "append a TD, an event, a property value or any catalogue event to the log",
  usage:
    "append td <file|-|json> | event <thing> <name> [<json>] | property <thing> <name> <json> | raw <subject> <type> <json>",
  help: [
    "Examples:",
    "  spokes append td examples/lamp.td.json",
    "  spokes append event urn:example:lamp overheated '{\"celsius\": 81}'",
    "  spokes append property urn:example:lamp on true",
  ].join("\n"),
  options: { id: { type: "string" }, source: { type: "string" }, time: { type: "string" } },
  async run({ config, values, positionals, print }) {
    const [kind, ...args] = positionals;
    const req: AppendRequest = {
      ...request(kind, args),
      source: (values.source as string | undefined) ?? "cli",
      ...(values.id ? { id: String(values.id) } : {}),
      ...(values.time ? { time: String(values.time) } : {}),
    };
    const log = await connectToHub(config, "spokes-append");
    try {
      const r = await log.append(req);
      print(`${r.duplicate ? "already stored" : "appended"} ${r.stream}#${r.seq} ${req.subject} id=${r.id}`);
      return 0;
    } finally {
      await log.close();
    }
  },
};
