import { ValidationError } from "../../core/errors.ts";
import type { From } from "../../core/event-log.ts";
import { streamsFor, subjects } from "../../core/subjects.ts";
import type { Command } from "../lib/command.ts";
import { eventLine } from "../lib/format.ts";
import { connectToHub } from "../lib/hub.ts";

export function parseFrom(text: string | undefined): From | "all" {
  if (text === undefined || text === "new") return "new";
  if (text === "all") return "all";
  if (/^\d+$/.test(text)) return Number(text);
  const t = new Date(text);
  if (Number.isNaN(t.getTime()))
    throw new ValidationError(`--from takes new, all, a sequence or a time (got "${text}")`);
  return t;
}

export const tail: Command = {
  name: "tail",
  summary: "print events as they are appended",
  usage: "tail [<subject pattern>] [--thing <id>] [--from new|all|<seq>|<time>] [--count <n>] [--json]",
  help: [
    "Watches every stream holding subjects that match the pattern (default `>`: everything), e.g.",
    "  spokes tail 'things.>'                 TDs, events, properties and action requests",
    "  spokes tail --thing urn:example:lamp    one Thing, its id written as it is",
    "  spokes tail 'actions.>' --from all      every action state change so far, then live",
  ].join("\n"),
  options: {
    thing: { type: "string" },
    from: { type: "string" },
    count: { type: "string" },
    json: { type: "boolean" },
  },
  async run({ config, values, positionals, print }) {
    const pattern = values.thing ? subjects.thingAll(String(values.thing)) : (positionals[0] ?? ">");
    const streams = streamsFor(pattern);
    if (streams.length === 0) throw new ValidationError(`no stream holds subjects matching ${pattern}`);
    const from = parseFrom(values.from as string | undefined);
    const count = values.count === undefined ? Number.POSITIVE_INFINITY : Number(values.count);
    if (!(count > 0)) throw new ValidationError("--count takes a positive number");
    const log = await connectToHub(config, "spokes-tail");
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    let printed = 0;
    try {
      const filter = pattern === ">" ? undefined : pattern;
      await Promise.all(
        streams.map(async (stream) => {
          const start = from === "all" ? 1 : from;
          for await (const e of log.watch({ stream, filter, from: start, signal: ac.signal })) {
            if (printed >= count) break;
            print(values.json ? JSON.stringify(e) : eventLine(e));
            if (++printed >= count) ac.abort();
          }
        }),
      );
      return 0;
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      await log.close();
    }
  },
};
