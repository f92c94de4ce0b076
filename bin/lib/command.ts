/** The shape every `spokes` subcommand has, so `--help` and argument errors work the same everywhere. */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { type Config, loadConfig } from "../../core/config.ts";
import { SpokesError, ValidationError } from "../../core/errors.ts";
import { createLogger, type Logger, maskUrls } from "../../core/log.ts";

export type Options = NonNullable<ParseArgsConfig["options"]>;

export type Context = {
  config: Config;
  logger: Logger;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** Standard output; tests read it. */
  print(line: string): void;
};

export type Command = {
  name: string;
  summary: string;
  usage: string;
  /** Extra lines after the usage in `--help`. */
  help?: string;
  options?: Options;
  /** Resolves with the exit code. */
  run(ctx: Context): Promise<number>;
};

export function helpOf(cmd: Command): string {
  const opts = Object.entries(cmd.options ?? {}).map(
    ([name, o]) => `  --${name}${o.type === "string" ? " <value>" : ""}${o.short ? `, -${o.short}` : ""}`,
  );
  return [
    `spokes ${cmd.name} — ${cmd.summary}`,
    "",
    `usage: spokes ${cmd.usage}`,
    ...(cmd.help ? ["", cmd.help] : []),
    "",
    "options:",
    ...opts,
    "  --help, -h",
  ].join("\n");
}

/** Parses arguments and configuration, runs the command, and maps expected errors to messages and exit codes. */
export async function runCommand(cmd: Command, argv: string[]): Promise<number> {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...cmd.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
    });
  } catch (err) {
    process.stderr.write(`spokes ${cmd.name}: ${(err as Error).message}\n\n${helpOf(cmd)}\n`);
    return 2;
  }
  if (parsed.values.help) {
    print(helpOf(cmd));
    return 0;
  }
  try {
    const config = loadConfig(process.env);
    const logger = createLogger(config.SPOKES_LOG_LEVEL);
    const values = parsed.values as Context["values"];
    return await cmd.run({ config, logger, values, positionals: parsed.positionals, print });
  } catch (err) {
    if (err instanceof SpokesError) {
      process.stderr.write(`spokes ${cmd.name}: ${maskUrls(err.message)}\n`);
      if (err instanceof ValidationError && err.issues.length > 1) {
        for (const i of err.issues.slice(0, 20)) process.stderr.write(`  ${i.path}: ${i.message}\n`);
      }
      return err instanceof ValidationError ? 2 : 1;
    }
    throw err;
  }
}
