/**
 * What a load run puts into the hub before the scenarios: Things and history values straight into the log (the
 * query scenario reads them), and provisioned devices with tokens (the device scenarios use them).
 */

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { AppendRequest } from "../../core/event-log.ts";
import type { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { subjects } from "../../core/subjects.ts";
import { ROOT } from "../../test/harness/cli.ts";

export type Seeded = { things: string[]; history: { things: string[]; from: string; to: string }; events: number };

const thingTd = (id: string, i: number) => ({
  "@context": "https://www.w3.org/2022/wot/td/v1.1",
  id,
  title: `Seeded sensor ${i}`,
  "@type": "Sensor",
  securityDefinitions: { nosec: { scheme: "nosec" } },
  security: ["nosec"],
  properties: { celsius: { type: "number", readOnly: true } },
});

/** `things` Things, and `perThing` history values for each of the first `historyThings`, over the last 6 days. */
export async function seedThings(
  log: JetStreamEventLog,
  o: { things: number; historyThings: number; perThing: number },
): Promise<Seeded> {
  const ids = Array.from({ length: o.things }, (_, i) => `load-seed-${String(i).padStart(4, "0")}`);
  await log.appendMany(
    ids.map((id, i) => ({ subject: subjects.thingTd(id), type: "spokes.ThingDescribed", data: thingTd(id, i) })),
  );
  const to = Date.now() - 60_000;
  const from = to - 6 * 86_400_000;
  const historyThings = ids.slice(0, o.historyThings);
  const values: AppendRequest[] = [];
  for (const thing of historyThings) {
    for (let k = 0; k < o.perThing; k++) {
      values.push({
        subject: subjects.property(thing, "celsius"),
        type: "spokes.PropertyReported",
        data: 18 + (k % 80) / 10,
        time: new Date(from + ((to - from) * k) / o.perThing),
      });
    }
  }
  for (let i = 0; i < values.length; i += 10_000) await log.appendMany(values.slice(i, i + 10_000));
  return {
    things: ids,
    history: { things: historyThings, from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    events: values.length,
  };
}

export type Device = { device: string; token: string; thing: string };
type Provision = (
  log: JetStreamEventLog,
  dataDir: string,
  device: string,
) => Promise<{ device: string; token: string }>;

/**
 * Provisions devices through the real provisioning flow (test/harness/devices.ts). Resolves to undefined with
 * the reason when that flow is not in this tree.
 */
export async function provisionDevices(
  log: JetStreamEventLog,
  dataDir: string,
  count: number,
): Promise<{ devices: Device[] } | { missing: string }> {
  let provision: Provision;
  try {
    const mod = (await import(pathToFileURL(join(ROOT, "test", "harness", "devices.ts")).href)) as {
      provisionTestDevice?: Provision;
    };
    if (typeof mod.provisionTestDevice !== "function") return { missing: "provisionTestDevice is not exported" };
    provision = mod.provisionTestDevice;
  } catch (err) {
    return { missing: `device provisioning is not available (${String(err).split("\n")[0]})` };
  }
  const devices: Device[] = [];
  for (let i = 0; i < count; i += 10) {
    const batch = Array.from(
      { length: Math.min(10, count - i) },
      (_, k) => `load-device-${String(i + k).padStart(3, "0")}`,
    );
    const issued = await Promise.all(batch.map((d) => provision(log, dataDir, d)));
    for (const { device, token } of issued) devices.push({ device, token, thing: `load-thing-${device.slice(12)}` });
  }
  return { devices };
}

/** Devices without credentials, for baselines and for when provisioning is missing. */
export const anonymousDevices = (count: number): Device[] =>
  Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(3, "0");
    return { device: `load-device-${n}`, token: "none", thing: `load-thing-${n}` };
  });
