/**
 * The `spokes` command. Runs on Node 22.18+, Bun and Deno straight from the TypeScript sources.
 */
import { append } from "./commands/append.ts";
import { device } from "./commands/device.ts";
import { replayCommand } from "./commands/replay.ts";
import { start } from "./commands/start.ts";
import { status } from "./commands/status.ts";
import { tail } from "./commands/tail.ts";
import { type Command, runCommand } from "./lib/command.ts";

const commands: Command[] = [start, status, tail, append, replayCommand, device];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "spokes — an event-sourced IoT hub",
    "",
    "usage: spokes <command> [options]     (spokes <command> --help for more)",
    "",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Configuration is environment variables (SPOKES_*); see docs/reference/config.md.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`spokes: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  return runCommand(cmd, rest);
}

const isMain = import.meta.main ?? process.argv[1]?.endsWith("cli.ts");
if (isMain) {
  // A reader that goes away (`spokes status | head`, a terminal closed under a running hub) is not a reason to
  // crash: a hub must still stop its nats-server cleanly. Later writes to a closed pipe are dropped.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
    });
  }
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`spokes: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
