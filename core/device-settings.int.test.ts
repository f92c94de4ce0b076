import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNats, type TestNats } from "../test/harness/nats.ts";
import { loadConfig } from "./config.ts";
import { DeviceRegistry } from "./device-registry.ts";
import { changeDeviceSettings, readDeviceSettings } from "./device-settings.ts";
import { ConflictError, NotFoundError, ValidationError } from "./errors.ts";
import { JetStreamEventLog } from "./jetstream-event-log.ts";
import { subjects } from "./subjects.ts";

let nats: TestNats;
let log: JetStreamEventLog;
let dataDir: string;
let registry: DeviceRegistry;

beforeAll(async () => {
  nats = await startTestNats();
  log = await JetStreamEventLog.open({ servers: nats.url, settings: loadConfig({}) });
  dataDir = await mkdtemp(join(tmpdir(), "spokes-settings-"));
  registry = await DeviceRegistry.open({ log, dataDir });
}, 60_000);

afterAll(async () => {
  await registry?.close();
  await log?.close();
  await nats?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function settingsFacts(device: string): Promise<unknown[]> {
  const found: unknown[] = [];
  for await (const e of log.read({ stream: "PROVISIONING", filter: subjects.deviceSettings(device) })) {
    found.push(e.data);
  }
  return found;
}

describe("device settings", () => {
  it("Given a device nobody pre-approved, When its settings are changed, Then NotFound and nothing is stored", async () => {
    await expect(changeDeviceSettings(log, "ghost", { actionDelivery: "ordered" }, "admin")).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await settingsFacts("ghost")).toEqual([]);
  });

  it("Given a pre-approved device, When settings change in steps, Then each fact holds the whole settings and null resets one", async () => {
    await registry.flow.preapprove({ device: "boiler-1" }, "admin", "test");
    expect(await readDeviceSettings(log, "boiler-1")).toEqual({ device: "boiler-1", settings: {}, seq: 0 });

    const first = await changeDeviceSettings(
      log,
      "boiler-1",
      { actionDelivery: "ordered", actionTtlMs: 600_000 },
      "admin",
    );
    expect(first.settings).toEqual({ actionDelivery: "ordered", actionTtlMs: 600_000 });
    const second = await changeDeviceSettings(
      log,
      "boiler-1",
      { mergePropertyWrites: true, actionTtlMs: null },
      "alice",
    );
    expect(second.settings).toEqual({ actionDelivery: "ordered", mergePropertyWrites: true });
    expect(second.seq).toBeGreaterThan(first.seq);

    expect(await readDeviceSettings(log, "boiler-1")).toEqual(second);
    expect(await settingsFacts("boiler-1")).toEqual([
      { actionDelivery: "ordered", actionTtlMs: 600_000, by: "admin" },
      { actionDelivery: "ordered", mergePropertyWrites: true, by: "alice" },
    ]);
    await registry.caughtUp(second.seq);
    expect(registry.settingsOf("boiler-1")).toEqual({ actionDelivery: "ordered", mergePropertyWrites: true });
    expect(registry.settingsOf("someone-else")).toEqual({});
  });

  it("Given out-of-range values, When they are set, Then a ValidationError names the field and nothing is stored", async () => {
    await registry.flow.preapprove({ device: "boiler-2" }, "admin", "test");
    const err = await changeDeviceSettings(log, "boiler-2", { actionTtlMs: -5 }, "admin").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path)).toEqual(["actionTtlMs"]);
    const bad = { actionDelivery: "fifo" } as unknown as Parameters<typeof changeDeviceSettings>[2];
    await expect(changeDeviceSettings(log, "boiler-2", bad, "admin")).rejects.toBeInstanceOf(ValidationError);
    expect(await settingsFacts("boiler-2")).toEqual([]);
  });

  it("Given two changes racing from the same read, When both append, Then one is stored and the other is a Conflict", async () => {
    await registry.flow.preapprove({ device: "boiler-3" }, "admin", "test");
    const results = await Promise.allSettled([
      changeDeviceSettings(log, "boiler-3", { actionDelivery: "all" }, "a"),
      changeDeviceSettings(log, "boiler-3", { actionDelivery: "ordered" }, "b"),
    ]);
    const stored = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    expect(stored).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect(await settingsFacts("boiler-3")).toHaveLength(1);
  });

  it("Given a device with settings, When an administrator decides on it afterwards, Then the decision is not taken for a conflict", async () => {
    await registry.flow.preapprove({ device: "boiler-4" }, "admin", "test");
    await changeDeviceSettings(log, "boiler-4", { actionDelivery: "ordered" }, "admin");
    const rejected = await registry.flow.decide("reject", "boiler-4", "admin", "not ours", "test");
    expect(rejected.status).toBe("rejected");
  });
});
