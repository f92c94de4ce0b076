#!/usr/bin/env node
// The installed entry point of `spokes`. The sources are TypeScript run without a build step, which needs
// Node 22.18 or later (or Bun, or Deno). On an older Node this re-runs itself with the Node 24 that the project
// installs from npm (node_modules/.bin/node).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const [major, minor] = process.versions.node.split(".").map(Number);
const native = "Bun" in globalThis || "Deno" in globalThis || major > 22 || (major === 22 && minor >= 18);

if (native) {
  const { main } = await import("./cli.ts");
  process.exit(await main(process.argv.slice(2)));
} else {
  const node = join(here, "..", "node_modules", ".bin", "node");
  if (!existsSync(node)) {
    process.stderr.write(`spokes needs Node 22.18 or later (this is ${process.version}); run \`npm install\` first.\n`);
    process.exit(1);
  }
  const child = spawn(node, [join(here, "cli.ts"), ...process.argv.slice(2)], { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
