/**
 * The running hub's state file (`<data>/hub.json`): what runs and where, for `spokes status` and for the
 * other commands to find the embedded NATS server. Written at start, removed at a clean stop.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

export const hubState = z.object({
  pid: z.number().int(),
  startedAt: z.string(),
  runtime: z.string(),
  nats: z.object({ url: z.string(), embedded: z.boolean(), version: z.string(), pid: z.number().int().optional() }),
  http: z.object({ url: z.string() }),
  /** Device endpoints: MQTT over TCP and CoAP/LwM2M over UDP, where they listen. */
  devices: z.object({ mqtt: z.number().int().optional(), coap: z.number().int().optional() }).optional(),
  workers: z.array(z.string()),
});
export type HubState = z.infer<typeof hubState>;

export const stateFile = (dataDir: string) => join(dataDir, "hub.json");

export function writeState(dataDir: string, state: HubState): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(stateFile(dataDir), `${JSON.stringify(state, null, 2)}\n`);
}

/** The recorded state, whether or not its process still runs; undefined when there is none. */
export function readState(dataDir: string): HubState | undefined {
  try {
    return hubState.parse(JSON.parse(readFileSync(stateFile(dataDir), "utf8")));
  } catch {
    return undefined;
  }
}

/** The recorded state if its hub process is still alive; otherwise undefined. */
export function readLiveState(dataDir: string): HubState | undefined {
  const state = readState(dataDir);
  return state && isAlive(state.pid) ? state : undefined;
}

export function removeState(dataDir: string): void {
  rmSync(stateFile(dataDir), { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Which runtime executes this process, with its version. */
export function runtimeName(): string {
  const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  return `node ${process.versions.node}`;
}
