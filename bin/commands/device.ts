import { readFileSync } from "node:fs";
import { parseDuration } from "../../core/config.ts";
import { changeDeviceSettings, type DeviceSettingsChange, readDeviceSettings } from "../../core/device-settings.ts";
import { ValidationError } from "../../core/errors.ts";
import type { DeviceState } from "../../core/provisioning.ts";
import { type AdminDecision, createProvisioningFlow } from "../../core/provisioning-flow.ts";
import { randomSecret } from "../../core/secrets.ts";
import type { Command } from "../lib/command.ts";
import { table } from "../lib/format.ts";
import { connectToHub } from "../lib/hub.ts";

const DECISIONS: Record<string, AdminDecision> = {
  approve: "approve",
  reject: "reject",
  disable: "disable",
  enable: "enable",
  revoke: "revoke",
};

/** A public key from an argument: PEM text, or the path of a PEM file. */
function publicKeyArg(arg: string | undefined): string | undefined {
  if (arg === undefined) return undefined;
  if (arg.includes("-----BEGIN")) return arg;
  try {
    return readFileSync(arg, "utf8");
  } catch {
    throw new ValidationError(`--public-key: "${arg}" is neither a PEM key nor a readable file`);
  }
}

/** What a person wants to see of a device, secrets and hashes left out. */
function summary(s: DeviceState) {
  return {
    device: s.device,
    status: s.status,
    seq: s.seq,
    updatedAt: s.updatedAt ?? null,
    preapproved: s.preapproval !== undefined,
    requestedAt: s.request?.at ?? null,
    requestSecret: s.request?.secretCheck ?? null,
    decidedBy: s.decidedBy ?? null,
    reason: s.reason ?? null,
    credentialsIssuedAt: s.credentials?.at ?? null,
    certificate: s.credentials?.certificate !== undefined,
    wrongSecrets: s.wrongSecrets,
    lockedUntil: s.lockedUntil ?? null,
  };
}

/** The settings change the options ask for; `default` returns a setting to the hub's configuration. */
function settingsChange(values: Record<string, unknown>): DeviceSettingsChange {
  const change: DeviceSettingsChange = {};
  const delivery = values.delivery as string | undefined;
  if (delivery !== undefined) {
    if (delivery !== "ordered" && delivery !== "all" && delivery !== "default") {
      throw new ValidationError(`--delivery: ordered, all or default (got "${delivery}")`);
    }
    change.actionDelivery = delivery === "default" ? null : delivery;
  }
  const ttl = values.ttl as string | undefined;
  if (ttl !== undefined) {
    const ms = ttl === "default" ? null : parseDuration(ttl);
    if (ms === undefined) throw new ValidationError(`--ttl: a duration like 90s, 10m or 0, or default (got "${ttl}")`);
    change.actionTtlMs = ms;
  }
  const merge = values["merge-writes"] as string | undefined;
  if (merge !== undefined) {
    if (merge !== "on" && merge !== "off" && merge !== "default") {
      throw new ValidationError(`--merge-writes: on, off or default (got "${merge}")`);
    }
    change.mergePropertyWrites = merge === "default" ? null : merge === "on";
  }
  return change;
}

export const device: Command = {
  name: "device",
  summary: "provision devices: list, status, preapprove, approve, reject, disable, enable, revoke, settings",
  usage:
    "device list [--status <s>] | status <device> | preapprove <device> [--secret <s> | --generate-secret] " +
    "[--mac <mac>] [--public-key <pem|file>] | approve|reject|disable|enable|revoke <device> [--reason <text>] | " +
    "settings <device> [--delivery ordered|all|default] [--ttl <duration>|default] [--merge-writes on|off|default]",
  help: [
    "Decisions are appended to the PROVISIONING stream of the running hub (or SPOKES_NATS_URL); every binding",
    "follows them within a second. Statuses: preapproved, pending, approved, rejected, active, disabled, revoked.",
    "",
    "Examples:",
    "  spokes device preapprove sensor-12 --generate-secret    # prints the out-of-band secret once",
    "  spokes device list --status pending",
    "  spokes device approve sensor-12",
    "  spokes device revoke sensor-12 --reason 'stolen'",
    "  spokes device settings boiler-7 --delivery ordered --ttl 10m   # without options: shows them",
  ].join("\n"),
  options: {
    status: { type: "string" },
    secret: { type: "string" },
    "generate-secret": { type: "boolean" },
    mac: { type: "string" },
    "public-key": { type: "string" },
    reason: { type: "string" },
    delivery: { type: "string" },
    ttl: { type: "string" },
    "merge-writes": { type: "string" },
    by: { type: "string" },
    json: { type: "boolean" },
  },
  async run({ config, values, positionals, print }) {
    const [sub, id] = positionals;
    const by = (values.by as string | undefined) ?? process.env.USER ?? "cli";
    const source = `cli/${by}`;
    const needsDevice = sub !== "list";
    const known = ["list", "status", "preapprove", "settings"];
    if (sub === undefined || (!known.includes(sub) && !DECISIONS[sub])) {
      throw new ValidationError(
        `device what? list, status, preapprove, approve, reject, disable, enable, revoke or settings (got "${sub ?? ""}")`,
      );
    }
    const change = sub === "settings" ? settingsChange(values) : {};
    if (needsDevice && !id) throw new ValidationError(`usage: spokes device ${sub} <device>`);
    const log = await connectToHub(config, "spokes-device");
    try {
      const flow = createProvisioningFlow({ log });
      const show = (s: DeviceState) => {
        if (values.json) print(JSON.stringify(summary(s), null, 2));
        else print(`${s.device}: ${s.status} (PROVISIONING#${s.seq})`);
      };
      if (sub === "list") {
        const wanted = values.status as string | undefined;
        const all = (await flow.list()).filter((s) => !wanted || s.status === wanted);
        all.sort((a, b) => a.device.localeCompare(b.device));
        if (values.json) print(JSON.stringify(all.map(summary), null, 2));
        else if (all.length === 0) print(wanted ? `no ${wanted} devices` : "no devices");
        else {
          const rows = all.map((s) => [s.device, s.status, s.updatedAt ?? "", s.request?.secretCheck ?? "", s.seq]);
          print(table([["device", "status", "updated", "secret", "seq"], ...rows]));
        }
        return 0;
      }
      if (sub === "status") {
        const s = await flow.status(id as string);
        if (s.status === "unknown") {
          print(`${id}: unknown (no provisioning decisions)`);
          return 3;
        }
        if (values.json) show(s);
        else for (const [k, v] of Object.entries(summary(s))) if (v !== null) print(`${k.padEnd(20)} ${v}`);
        return 0;
      }
      if (sub === "settings") {
        if (Object.keys(change).length === 0 && (await flow.status(id as string)).status === "unknown") {
          print(`${id}: unknown (no provisioning decisions)`);
          return 3;
        }
        const stored =
          Object.keys(change).length === 0
            ? await readDeviceSettings(log, id as string)
            : await changeDeviceSettings(log, id as string, change, by, source);
        if (values.json) print(JSON.stringify(stored, null, 2));
        else {
          const { actionDelivery, actionTtlMs, mergePropertyWrites } = stored.settings;
          const hub = "(hub default)";
          print(`delivery       ${actionDelivery ?? hub}`);
          print(
            `ttl            ${actionTtlMs === undefined ? hub : actionTtlMs === 0 ? "none" : `${actionTtlMs / 1000}s`}`,
          );
          print(`merge-writes   ${mergePropertyWrites === undefined ? hub : mergePropertyWrites ? "on" : "off"}`);
        }
        return 0;
      }
      if (sub === "preapprove") {
        if (values.secret && values["generate-secret"]) {
          throw new ValidationError("give --secret or --generate-secret, not both");
        }
        const secret = values["generate-secret"] ? randomSecret(18) : (values.secret as string | undefined);
        const s = await flow.preapprove(
          {
            device: id,
            ...(secret ? { secret } : {}),
            ...(values.mac ? { mac: values.mac } : {}),
            ...(values["public-key"] ? { publicKey: publicKeyArg(values["public-key"] as string) } : {}),
          },
          by,
          source,
        );
        show(s);
        if (values["generate-secret"]) print(`out-of-band secret (shown once): ${secret}`);
        return 0;
      }
      const s = await flow.decide(
        DECISIONS[sub] as AdminDecision,
        id as string,
        by,
        values.reason as string | undefined,
        source,
      );
      show(s);
      return 0;
    } finally {
      await log.close();
    }
  },
};
