// Makes a fresh clone ready before `npm start` or `npm test`: installs the npm packages when they are missing or
// stale, then the outside tools (scripts/setup.sh). Plain JavaScript so the machine's own Node can run it
// before the project's Node 24 is installed.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const mode = process.argv[2] ?? "test";
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });

const marker = join(root, "node_modules", ".package-lock.json");
const lock = join(root, "package-lock.json");
const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
if (stale) {
  process.stderr.write("ensure: installing npm packages\n");
  // `npm install` rather than `npm ci`: it honours the lock file too, and tolerates the platform-specific optional
  // packages that a lock written on one machine may list differently.
  run("npm", ["install", "--no-audit", "--no-fund"]);
}

if (mode === "start" && process.env.SPOKES_NATS_URL) process.exit(0);
run("bash", [join(root, "scripts", "setup.sh"), mode === "start" ? "nats" : "all"]);
