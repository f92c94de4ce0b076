import { ValidationError } from "../../core/errors.ts";
import { PROJECTIONS } from "../../projections/registry.ts";
import type { ReplayMessage } from "../lib/admin.ts";
import { hubReplay } from "../lib/admin-client.ts";
import type { Command } from "../lib/command.ts";
import { connectToHub } from "../lib/hub.ts";

function parseFrom(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const t = new Date(text);
  if (Number.isNaN(t.getTime())) throw new ValidationError(`--from takes a stream sequence or a time (got "${text}")`);
  return t.toISOString();
}

/** One line of progress: a bar, the count, the rate and the time left. */
export function progressLine(name: string, m: Extract<ReplayMessage, { type: "progress" }>): string {
  const share = m.total > 0 ? Math.min(1, m.done / m.total) : 1;
  const bar = "#".repeat(Math.round(share * 30)).padEnd(30, ".");
  const rate = Math.round(m.eventsPerSecond).toLocaleString("en");
  return `${name} [${bar}] ${(share * 100).toFixed(0).padStart(3)}% ${m.done}/${m.total} events, ${rate} events/s, ETA ${Math.ceil(m.etaSeconds)}s`;
}

export const replayCommand: Command = {
  name: "replay",
  summary: "rebuild a read model from the streams while the hub keeps serving",
  usage: `replay <${PROJECTIONS.map((p) => p.name).join("|")}> [--from <seq|time>]`,
  help: [
    "The running hub rebuilds the read model into new tables from the stream and swaps them in at the end;",
    "queries see the old rows until then. --from keeps the rows owed to earlier events where the model allows.",
  ].join("\n"),
  options: { from: { type: "string" } },
  async run({ config, values, positionals, print }) {
    const name = positionals[0];
    if (!name || !PROJECTIONS.some((p) => p.name === name)) {
      throw new ValidationError(`replay which projection? one of ${PROJECTIONS.map((p) => p.name).join(", ")}`);
    }
    const from = parseFrom(values.from as string | undefined);
    const log = await connectToHub(config, "spokes-replay");
    const tty = process.stdout.isTTY === true;
    try {
      const last = await hubReplay(log.nc, { projection: name, from }, (m) => {
        if (m.type !== "progress") return;
        if (tty) process.stdout.write(`\r${progressLine(name, m)}`);
        else print(progressLine(name, m));
      });
      if (tty) process.stdout.write("\n");
      if (last.type === "error") throw new ValidationError(`replay of ${name} failed: ${last.message}`);
      if (last.type === "done") {
        const rate = last.ms > 0 ? Math.round((last.events * 1000) / last.ms) : last.events;
        print(
          `replayed ${name}: ${last.events} events (sequences ${last.fromSeq}–${last.toSeq}) in ${(last.ms / 1000).toFixed(1)} s, ${rate} events/s, ${last.poison} poison`,
        );
      }
      return 0;
    } finally {
      await log.close();
    }
  },
};
