/**
 * Per-device settings (how actions are delivered to the device), kept as `spokes.DeviceSettingsChanged` facts on
 * `devices.{device}.settings` in the PROVISIONING stream. Each fact holds the device's whole settings; a field it
 * leaves out falls back to the hub's configuration. Changes are conditional appends on that subject, so two
 * administrators changing one device at once cannot silently overwrite each other.
 */
import { NotFoundError, ValidationError } from "./errors.ts";
import { type EventLog, issuesOf } from "./event-log.ts";
import { catalogue, type DeviceSettings, storedFact } from "./messages.ts";
import { readDevice } from "./provisioning-flow.ts";
import { subjects } from "./subjects.ts";

export type { DeviceSettings };

/** A change: a field set to a value changes it, `null` returns it to the hub's default, absent keeps it. */
export type DeviceSettingsChange = { [K in keyof DeviceSettings]?: DeviceSettings[K] | null };

export type StoredDeviceSettings = { device: string; settings: DeviceSettings; seq: number };

const KEYS = ["actionDelivery", "actionTtlMs", "mergePropertyWrites"] as const satisfies (keyof DeviceSettings)[];

/** The device and its settings when a stored event is a settings fact that parses; otherwise undefined. */
export function settingsFact(e: { subject: string; type: string; data: unknown; seq: number }) {
  const f = storedFact(e, "spokes.DeviceSettingsChanged", "deviceSettings");
  if (!f) return undefined;
  const { by: _by, ...settings } = f.data;
  return { device: f.address.device, settings, seq: e.seq } satisfies StoredDeviceSettings;
}

/** The device's current settings from the log (empty when none were ever set). */
export async function readDeviceSettings(log: EventLog, device: string): Promise<StoredDeviceSettings> {
  let current: StoredDeviceSettings = { device, settings: {}, seq: 0 };
  for await (const e of log.read({ stream: "PROVISIONING", filter: subjects.deviceSettings(device) })) {
    current = settingsFact(e) ?? current;
  }
  return current;
}

/** Applies a change to settings: the fields it names change, `null` removes one. */
export function applyChange(settings: DeviceSettings, change: DeviceSettingsChange): DeviceSettings {
  const next: Record<string, unknown> = { ...settings };
  for (const key of KEYS) {
    const value = change[key];
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  return next as DeviceSettings;
}

/**
 * Changes a known device's settings. NotFoundError for a device the PROVISIONING stream never named,
 * ValidationError for values out of range, ConflictError when someone else changed them since they were read.
 */
export async function changeDeviceSettings(
  log: EventLog,
  device: string,
  change: DeviceSettingsChange,
  by: string,
  source = "spokes",
): Promise<StoredDeviceSettings> {
  if ((await readDevice(log, device)).status === "unknown") throw new NotFoundError(`no device "${device}"`);
  const current = await readDeviceSettings(log, device);
  const settings = applyChange(current.settings, change);
  const parsed = catalogue["spokes.DeviceSettingsChanged"].data.safeParse({ ...settings, by });
  if (!parsed.success) throw new ValidationError("invalid device settings", issuesOf(parsed.error));
  const r = await log.append({
    subject: subjects.deviceSettings(device),
    type: "spokes.DeviceSettingsChanged",
    source,
    data: parsed.data,
    expectedLastSubjectSeq: current.seq,
  });
  return { device, settings, seq: r.seq };
}
