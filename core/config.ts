/**
 * All configuration is environment variables, validated here by one schema. A bad value stops start-up with a
 * message naming the variable. Durations are written like `30s`, `15m`, `12h`, `7d` (`0` = keep forever);
 * sizes like `512MiB`, `2GiB` or a number of bytes (`0` = unlimited).
 */
import { z } from "zod";
import { ValidationError } from "./errors.ts";

const UNITS_MS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };
const UNITS_BYTES: Record<string, number> = { "": 1, B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m?.[1]) return undefined;
  if (!m[2]) return Number(m[1]) === 0 ? 0 : undefined;
  return Math.round(Number(m[1]) * (UNITS_MS[m[2]] ?? 1));
}

export function parseSize(text: string): number | undefined {
  const m = /^(\d+)\s*(B|KiB|MiB|GiB|TiB)?$/.exec(text.trim());
  if (!m?.[1]) return undefined;
  return Number(m[1]) * (UNITS_BYTES[m[2] ?? ""] ?? 1);
}

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: `expected a duration like 30s, 15m, 12h or 7d (got "${text}")` });
    return z.NEVER;
  }
  return ms;
});

const size = z.string().transform((text, ctx) => {
  const bytes = parseSize(text);
  if (bytes === undefined) {
    ctx.addIssue({ code: "custom", message: `expected a size like 512MiB or 2GiB (got "${text}")` });
    return z.NEVER;
  }
  return bytes;
});

const port = z.coerce.number().int().min(0).max(65535);
const url = (protocols: string[], { list = false } = {}) =>
  z.string().refine(
    (v) =>
      (list ? v.split(",") : [v]).every((part) => {
        try {
          return protocols.includes(new URL(part.trim()).protocol);
        } catch {
          return false;
        }
      }),
    `expected a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`,
  );

export const configSchema = z.object({
  /** NATS server(s), comma-separated. Absent: the hub starts its own nats-server with JetStream. */
  SPOKES_NATS_URL: url(["nats:", "tls:"], { list: true }).optional(),
  /** Postgres connection URL. Absent: embedded PGlite in the data folder. */
  SPOKES_POSTGRES_URL: url(["postgres:", "postgresql:"]).optional(),
  /** Where embedded services keep their data. */
  SPOKES_DATA_DIR: z.string().min(1).default("./data"),
  /** Port of the embedded nats-server (only when SPOKES_NATS_URL is absent). */
  SPOKES_EMBEDDED_NATS_PORT: port.default(4222),
  /** Path of the nats-server binary for the embedded server; found in .tools/bin or on PATH when absent. */
  SPOKES_NATS_SERVER: z.string().min(1).optional(),
  SPOKES_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** Port of the GraphQL endpoint (`/graphql`, HTTP, WebSocket and SSE) and `/metrics`. */
  SPOKES_HTTP_PORT: port.default(4000),
  /** Address the HTTP endpoint binds; loopback unless set (e.g. `0.0.0.0`). */
  SPOKES_HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  /** Browser origins allowed to call the GraphQL endpoint, comma-separated; `*` for any. */
  SPOKES_CORS_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .optional(),
  /** Serve GraphiQL at the endpoint. */
  SPOKES_GRAPHIQL: z.stringbool().default(true),
  /** Password of the `admin` user created on first start; generated and printed once when absent. */
  SPOKES_ADMIN_PASSWORD: z.string().min(8).max(256).optional(),
  SPOKES_ACCESS_TOKEN_TTL: duration.prefault("15m"),
  SPOKES_REFRESH_TOKEN_TTL: duration.prefault("30d"),
  /** Largest event payload accepted, in bytes. */
  SPOKES_MAX_PAYLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(256)
    .max(8 * 1024 * 1024)
    .default(64 * 1024),
  /** How long a repeated event id is recognised and stored once. */
  SPOKES_DEDUP_WINDOW: duration.prefault("2m"),
  /** Publishes in flight per appendMany call. */
  SPOKES_APPEND_WINDOW: z.coerce.number().int().min(1).max(65536).default(1024),
  SPOKES_EVENTS_MAX_AGE: duration.prefault("7d"),
  SPOKES_EVENTS_MAX_BYTES: size.prefault("4GiB"),
  SPOKES_ACTIONS_MAX_AGE: duration.prefault("30d"),
  SPOKES_PRESENCE_MAX_AGE: duration.prefault("7d"),
  /** Upstream LwM2M server (`coap://host:port`) the hub registers with as one LwM2M client; no gateway when absent. */
  SPOKES_LWM2M_GATEWAY_SERVER_URL: url(["coap:"]).optional(),
  /** Bootstrap server (`coap://host:port`) asked for the LwM2M server when SPOKES_LWM2M_GATEWAY_SERVER_URL is absent. */
  SPOKES_LWM2M_GATEWAY_BOOTSTRAP_URL: url(["coap:"]).optional(),
  /** The gateway's LwM2M endpoint client name. */
  SPOKES_LWM2M_GATEWAY_ENDPOINT: z.string().min(1).max(256).default("spokes-hub"),
  /** Registration lifetime; the gateway updates its registration at half of it. */
  SPOKES_LWM2M_GATEWAY_LIFETIME: duration.prefault("5m").pipe(z.number().min(1000, "at least 1s")),
  /** Longest time between notifications of an observed value when the server set no pmax; 0 = only on change. */
  SPOKES_LWM2M_GATEWAY_NOTIFY_INTERVAL: duration.prefault("60s"),
  /** JSON file with the exposed Things, used while no mapping is stored (later changes go through GraphQL). */
  SPOKES_LWM2M_GATEWAY_MAPPING_FILE: z.string().min(1).optional(),
  /** Local UDP port of the gateway (0: any free port). */
  SPOKES_LWM2M_GATEWAY_PORT: port.default(0),
  /** A Read of a property whose value is older than this (or missing) asks the device first; 0 = never ask. */
  SPOKES_LWM2M_GATEWAY_MAX_AGE: duration.prefault("0"),
  /** How long a Read waits for the device to report the value it was asked for before answering the stored one. */
  SPOKES_LWM2M_GATEWAY_READ_WAIT: duration.prefault("2s").pipe(z.number().max(60_000, "at most 60s")),
  /** How long the history read model keeps event and property values (whole days are dropped); 0 = forever. */
  SPOKES_HISTORY_MAX_AGE: duration.prefault("0"),
  /** Most events a projection applies in one transaction. */
  SPOKES_PROJECTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** Longest wait for a projection batch to fill once its first event arrived. */
  SPOKES_PROJECTION_MAX_WAIT: duration.prefault("50ms"),
  /** Port of the MQTT endpoint for devices (MQTT 3.1.1 over TCP). */
  SPOKES_MQTT_PORT: port.default(1883),
  /** Port of the MQTT endpoint over WebSocket. */
  SPOKES_MQTT_WS_PORT: port.default(8083),
  /** Address the MQTT endpoints bind; loopback unless set (e.g. `0.0.0.0`). */
  SPOKES_MQTT_HOST: z.string().min(1).default("127.0.0.1"),
  /** Port of MQTT over TLS; TLS is off when absent. Needs SPOKES_MQTT_TLS_CERT and SPOKES_MQTT_TLS_KEY. */
  SPOKES_MQTT_TLS_PORT: port.optional(),
  /** PEM file of the MQTT TLS server certificate (chain). */
  SPOKES_MQTT_TLS_CERT: z.string().min(1).optional(),
  /** PEM file of the MQTT TLS server key. */
  SPOKES_MQTT_TLS_KEY: z.string().min(1).optional(),
  /** How waiting actions reach a device: `all` at once in request order, or `ordered` one at a time. */
  SPOKES_ACTION_DELIVERY: z.enum(["all", "ordered"]).default("all"),
  /** Time to live of action requests that name none; `0` = they wait until delivered. */
  SPOKES_ACTION_TTL: duration.prefault("0"),
  /** Deliver only the latest of several waiting writes of the same property; the others are cancelled. */
  SPOKES_ACTION_MERGE_WRITES: z.stringbool().default(false),
  /** Per-device delivery settings, JSON: `{"device": {"delivery": "ordered", "ttl": "10m", "mergeWrites": true}}`. */
  SPOKES_ACTION_DEVICES: z
    .string()
    .transform((text, ctx) => {
      const entry = z.strictObject({
        delivery: z.enum(["all", "ordered"]).optional(),
        ttl: duration.optional(),
        mergeWrites: z.boolean().optional(),
      });
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        ctx.addIssue({ code: "custom", message: 'expected JSON like {"device": {"delivery": "ordered"}}' });
        return z.NEVER;
      }
      const parsed = z.record(z.string().min(1), entry).safeParse(json);
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        ctx.addIssue({ code: "custom", message: `${i?.path.join(".")}: ${i?.message}` });
        return z.NEVER;
      }
      return parsed.data;
    })
    .optional(),
  /** URL devices and browsers reach the HTTP endpoint at (for `/.well-known/wot`); the request's Host when absent. */
  SPOKES_PUBLIC_URL: url(["http:", "https:"]).optional(),
  /** Announce the hub over DNS-SD (mDNS) at start; administrators can switch it at run time. */
  SPOKES_DISCOVERY: z.stringbool().default(true),
  /** Instance name of the DNS-SD announcement; `Spokes on <host name>` when absent. */
  SPOKES_DISCOVERY_NAME: z.string().min(1).max(63).optional(),
  /** Provisioning requests and polls accepted per minute from one client address. */
  SPOKES_PROVISIONING_RATE: z.coerce.number().int().min(1).max(100_000).default(30),
  /** Lifetime of device tokens; `0` = they do not expire (disabling or revoking a device still applies at once). */
  SPOKES_DEVICE_TOKEN_TTL: duration.prefault("0"),
  /** Lifetime of the client certificates the hub CA issues to devices. */
  SPOKES_DEVICE_CERT_TTL: duration.prefault("365d"),
  /** UDP port of the CoAP endpoint: the LwM2M server (`/rd`) and the plain-CoAP device paths. */
  SPOKES_COAP_PORT: port.default(5683),
  /** Address the CoAP endpoint binds; loopback unless set (e.g. `0.0.0.0`). */
  SPOKES_COAP_HOST: z.string().min(1).default("127.0.0.1"),
  /** How long an LwM2M client in queue mode listens after it last spoke. */
  SPOKES_LWM2M_AWAKE_TIME: duration.prefault("93s"),
  /** Observe every object instance an LwM2M client registers, so its values arrive as property values. */
  SPOKES_LWM2M_OBSERVE: z.stringbool().default(true),
});

export type Config = z.infer<typeof configSchema>;

/** Reads the configuration from an environment; throws a ValidationError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const relevant = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith("SPOKES_") && v !== undefined && v !== ""),
  );
  const parsed = configSchema.safeParse(relevant);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: String(i.path[0] ?? ""), message: i.message }));
  const lines = issues.map((i) => `  ${i.path}: ${i.message}`).join("\n");
  throw new ValidationError(`bad configuration:\n${lines}`, issues);
}

/** Names of the variables the schema knows, for `spokes --help` and the docs. */
export const CONFIG_VARIABLES = Object.keys(configSchema.shape);
