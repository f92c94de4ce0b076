import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES, loadConfig, parseDuration, parseSize } from "./config.ts";
import { ValidationError } from "./errors.ts";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const DAY = 86_400_000;

function refusal(env: Record<string, string>): ValidationError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe("loadConfig", () => {
  it("runs everything embedded when nothing is set", () => {
    expect(loadConfig({})).toEqual({
      SPOKES_DATA_DIR: "./data",
      SPOKES_EMBEDDED_NATS_PORT: 4222,
      SPOKES_LOG_LEVEL: "info",
      SPOKES_HTTP_PORT: 4000,
      SPOKES_HTTP_HOST: "127.0.0.1",
      SPOKES_GRAPHIQL: true,
      SPOKES_ACCESS_TOKEN_TTL: 15 * 60_000,
      SPOKES_REFRESH_TOKEN_TTL: 30 * DAY,
      SPOKES_MAX_PAYLOAD_BYTES: 64 * KiB,
      SPOKES_DEDUP_WINDOW: 2 * 60_000,
      SPOKES_APPEND_WINDOW: 1024,
      SPOKES_EVENTS_MAX_AGE: 7 * DAY,
      SPOKES_EVENTS_MAX_BYTES: 4 * GiB,
      SPOKES_ACTIONS_MAX_AGE: 30 * DAY,
      SPOKES_PRESENCE_MAX_AGE: 7 * DAY,
      SPOKES_LWM2M_GATEWAY_ENDPOINT: "spokes-hub",
      SPOKES_LWM2M_GATEWAY_LIFETIME: 5 * 60_000,
      SPOKES_LWM2M_GATEWAY_NOTIFY_INTERVAL: 60_000,
      SPOKES_LWM2M_GATEWAY_PORT: 0,
      SPOKES_LWM2M_GATEWAY_MAX_AGE: 0,
      SPOKES_LWM2M_GATEWAY_READ_WAIT: 2_000,
      SPOKES_HISTORY_MAX_AGE: 0,
      SPOKES_PROJECTION_BATCH_SIZE: 1000,
      SPOKES_PROJECTION_MAX_WAIT: 50,
      SPOKES_MQTT_PORT: 1883,
      SPOKES_MQTT_WS_PORT: 8083,
      SPOKES_MQTT_HOST: "127.0.0.1",
      SPOKES_ACTION_DELIVERY: "all",
      SPOKES_ACTION_TTL: 0,
      SPOKES_ACTION_MERGE_WRITES: false,
      SPOKES_DISCOVERY: true,
      SPOKES_PROVISIONING_RATE: 30,
      SPOKES_DEVICE_TOKEN_TTL: 0,
      SPOKES_DEVICE_CERT_TTL: 365 * DAY,
      SPOKES_COAP_PORT: 5683,
      SPOKES_COAP_HOST: "127.0.0.1",
      SPOKES_LWM2M_AWAKE_TIME: 93_000,
      SPOKES_LWM2M_OBSERVE: true,
    });
  });

  it("treats an empty variable as unset and ignores variables that are not its own", () => {
    expect(
      loadConfig({ SPOKES_LOG_LEVEL: "", SPOKES_NATS_URL: undefined, PATH: "/usr/bin", LOG_LEVEL: "loud" }),
    ).toEqual(loadConfig({}));
  });

  it("reads every variable it knows", () => {
    const config = loadConfig({
      SPOKES_NATS_URL: "nats://nats-1:4222",
      SPOKES_POSTGRES_URL: "postgres://spokes:pw@db:5432/spokes",
      SPOKES_DATA_DIR: "/var/lib/spokes",
      SPOKES_EMBEDDED_NATS_PORT: "14222",
      SPOKES_NATS_SERVER: "/opt/nats/nats-server",
      SPOKES_LOG_LEVEL: "debug",
      SPOKES_HTTP_PORT: "8080",
      SPOKES_HTTP_HOST: "0.0.0.0",
      SPOKES_CORS_ORIGINS: "https://app.example.com, http://localhost:5173",
      SPOKES_GRAPHIQL: "false",
      SPOKES_ADMIN_PASSWORD: "correct horse battery",
      SPOKES_ACCESS_TOKEN_TTL: "5m",
      SPOKES_REFRESH_TOKEN_TTL: "7d",
      SPOKES_MAX_PAYLOAD_BYTES: "1048576",
      SPOKES_DEDUP_WINDOW: "10m",
      SPOKES_APPEND_WINDOW: "64",
      SPOKES_EVENTS_MAX_AGE: "0",
      SPOKES_EVENTS_MAX_BYTES: "512MiB",
      SPOKES_ACTIONS_MAX_AGE: "12h",
      SPOKES_PRESENCE_MAX_AGE: "1d",
      SPOKES_LWM2M_GATEWAY_SERVER_URL: "coap://dm.example.net:5683",
      SPOKES_LWM2M_GATEWAY_BOOTSTRAP_URL: "coap://bs.example.net:5683",
      SPOKES_LWM2M_GATEWAY_ENDPOINT: "hub-kitchen",
      SPOKES_LWM2M_GATEWAY_LIFETIME: "90s",
      SPOKES_LWM2M_GATEWAY_NOTIFY_INTERVAL: "0",
      SPOKES_LWM2M_GATEWAY_MAPPING_FILE: "/etc/spokes/lwm2m.json",
      SPOKES_LWM2M_GATEWAY_PORT: "15683",
      SPOKES_LWM2M_GATEWAY_MAX_AGE: "5m",
      SPOKES_LWM2M_GATEWAY_READ_WAIT: "1500ms",
      SPOKES_HISTORY_MAX_AGE: "90d",
      SPOKES_PROJECTION_BATCH_SIZE: "500",
      SPOKES_PROJECTION_MAX_WAIT: "20ms",
      SPOKES_MQTT_PORT: "11883",
      SPOKES_MQTT_WS_PORT: "18083",
      SPOKES_MQTT_HOST: "0.0.0.0",
      SPOKES_MQTT_TLS_PORT: "18883",
      SPOKES_MQTT_TLS_CERT: "/etc/spokes/mqtt.crt",
      SPOKES_MQTT_TLS_KEY: "/etc/spokes/mqtt.key",
      SPOKES_ACTION_DELIVERY: "ordered",
      SPOKES_ACTION_TTL: "1h",
      SPOKES_ACTION_MERGE_WRITES: "true",
      SPOKES_ACTION_DEVICES: '{"boiler-7": {"delivery": "all", "ttl": "10m", "mergeWrites": false}}',
      SPOKES_PUBLIC_URL: "https://hub.example.net",
      SPOKES_DISCOVERY: "false",
      SPOKES_DISCOVERY_NAME: "Spokes kitchen",
      SPOKES_PROVISIONING_RATE: "120",
      SPOKES_DEVICE_TOKEN_TTL: "90d",
      SPOKES_DEVICE_CERT_TTL: "30d",
      SPOKES_COAP_PORT: "15683",
      SPOKES_COAP_HOST: "0.0.0.0",
      SPOKES_LWM2M_AWAKE_TIME: "30s",
      SPOKES_LWM2M_OBSERVE: "false",
    });
    expect(config).toEqual({
      SPOKES_NATS_URL: "nats://nats-1:4222",
      SPOKES_POSTGRES_URL: "postgres://spokes:pw@db:5432/spokes",
      SPOKES_DATA_DIR: "/var/lib/spokes",
      SPOKES_EMBEDDED_NATS_PORT: 14222,
      SPOKES_NATS_SERVER: "/opt/nats/nats-server",
      SPOKES_LOG_LEVEL: "debug",
      SPOKES_HTTP_PORT: 8080,
      SPOKES_HTTP_HOST: "0.0.0.0",
      SPOKES_CORS_ORIGINS: ["https://app.example.com", "http://localhost:5173"],
      SPOKES_GRAPHIQL: false,
      SPOKES_ADMIN_PASSWORD: "correct horse battery",
      SPOKES_ACCESS_TOKEN_TTL: 5 * 60_000,
      SPOKES_REFRESH_TOKEN_TTL: 7 * DAY,
      SPOKES_MAX_PAYLOAD_BYTES: MiB,
      SPOKES_DEDUP_WINDOW: 10 * 60_000,
      SPOKES_APPEND_WINDOW: 64,
      SPOKES_EVENTS_MAX_AGE: 0,
      SPOKES_EVENTS_MAX_BYTES: 512 * MiB,
      SPOKES_ACTIONS_MAX_AGE: 12 * 3_600_000,
      SPOKES_PRESENCE_MAX_AGE: DAY,
      SPOKES_LWM2M_GATEWAY_SERVER_URL: "coap://dm.example.net:5683",
      SPOKES_LWM2M_GATEWAY_BOOTSTRAP_URL: "coap://bs.example.net:5683",
      SPOKES_LWM2M_GATEWAY_ENDPOINT: "hub-kitchen",
      SPOKES_LWM2M_GATEWAY_LIFETIME: 90_000,
      SPOKES_LWM2M_GATEWAY_NOTIFY_INTERVAL: 0,
      SPOKES_LWM2M_GATEWAY_MAPPING_FILE: "/etc/spokes/lwm2m.json",
      SPOKES_LWM2M_GATEWAY_PORT: 15683,
      SPOKES_LWM2M_GATEWAY_MAX_AGE: 5 * 60_000,
      SPOKES_LWM2M_GATEWAY_READ_WAIT: 1_500,
      SPOKES_HISTORY_MAX_AGE: 90 * DAY,
      SPOKES_PROJECTION_BATCH_SIZE: 500,
      SPOKES_PROJECTION_MAX_WAIT: 20,
      SPOKES_MQTT_PORT: 11883,
      SPOKES_MQTT_WS_PORT: 18083,
      SPOKES_MQTT_HOST: "0.0.0.0",
      SPOKES_MQTT_TLS_PORT: 18883,
      SPOKES_MQTT_TLS_CERT: "/etc/spokes/mqtt.crt",
      SPOKES_MQTT_TLS_KEY: "/etc/spokes/mqtt.key",
      SPOKES_ACTION_DELIVERY: "ordered",
      SPOKES_ACTION_TTL: 3_600_000,
      SPOKES_ACTION_MERGE_WRITES: true,
      SPOKES_ACTION_DEVICES: { "boiler-7": { delivery: "all", ttl: 600_000, mergeWrites: false } },
      SPOKES_PUBLIC_URL: "https://hub.example.net",
      SPOKES_DISCOVERY: false,
      SPOKES_DISCOVERY_NAME: "Spokes kitchen",
      SPOKES_PROVISIONING_RATE: 120,
      SPOKES_DEVICE_TOKEN_TTL: 90 * DAY,
      SPOKES_DEVICE_CERT_TTL: 30 * DAY,
      SPOKES_COAP_PORT: 15683,
      SPOKES_COAP_HOST: "0.0.0.0",
      SPOKES_LWM2M_AWAKE_TIME: 30_000,
      SPOKES_LWM2M_OBSERVE: false,
    });
    expect(Object.keys(config).sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it.each([
    "nats://localhost:4222",
    "tls://nats.example.com:4443",
    "nats://user:secret@nats-1:4222",
    "nats://nats-1:4222,nats://nats-2:4222,nats://nats-3:4222",
  ])("accepts the NATS server list %s", (url) => {
    expect(loadConfig({ SPOKES_NATS_URL: url }).SPOKES_NATS_URL).toBe(url);
  });

  it.each([
    ["SPOKES_NATS_URL", "http://x", "expected a URL starting with nats:// or tls://"],
    ["SPOKES_NATS_URL", "localhost:4222", "expected a URL starting with nats:// or tls://"],
    ["SPOKES_NATS_URL", "nats://nats-1:4222,http://nats-2", "expected a URL starting with nats:// or tls://"],
    ["SPOKES_POSTGRES_URL", "mysql://db/spokes", "expected a URL starting with postgres:// or postgresql://"],
    ["SPOKES_EVENTS_MAX_AGE", "7 weeks", 'expected a duration like 30s, 15m, 12h or 7d (got "7 weeks")'],
    ["SPOKES_ACTIONS_MAX_AGE", "30", 'expected a duration like 30s, 15m, 12h or 7d (got "30")'],
    ["SPOKES_DEDUP_WINDOW", "-2m", "expected a duration"],
    ["SPOKES_EVENTS_MAX_BYTES", "lots", 'expected a size like 512MiB or 2GiB (got "lots")'],
    ["SPOKES_EVENTS_MAX_BYTES", "4GB", "expected a size like 512MiB or 2GiB"],
    ["SPOKES_EMBEDDED_NATS_PORT", "70000", "expected number to be <=65535"],
    ["SPOKES_EMBEDDED_NATS_PORT", "4222x", "expected number"],
    ["SPOKES_EMBEDDED_NATS_PORT", "42.5", "expected int"],
    ["SPOKES_LOG_LEVEL", "loud", 'expected one of "debug"|"info"|"warn"|"error"'],
    ["SPOKES_MAX_PAYLOAD_BYTES", "100", "expected number to be >=256"],
    ["SPOKES_APPEND_WINDOW", "0", "expected number to be >=1"],
    ["SPOKES_LWM2M_GATEWAY_READ_WAIT", "2m", "at most 60s"],
  ])("refuses %s=%s, naming the variable", (variable, value, message) => {
    const error = refusal({ [variable]: value });
    expect(error.message).toMatch(/^bad configuration:\n/);
    const line = error.message.split("\n").find((l) => l.startsWith(`  ${variable}: `));
    expect(line).toContain(message);
    expect(error.issues).toEqual([{ path: variable, message: expect.stringContaining(message) }]);
  });

  it("names every bad variable at once", () => {
    const error = refusal({ SPOKES_LOG_LEVEL: "loud", SPOKES_EMBEDDED_NATS_PORT: "70000" });
    expect(error.issues.map((i) => i.path).sort()).toEqual(["SPOKES_EMBEDDED_NATS_PORT", "SPOKES_LOG_LEVEL"]);
  });

  it("does not repeat a password from a bad URL", () => {
    const error = refusal({ SPOKES_POSTGRES_URL: "mysql://spokes:hunter2@db/spokes" });
    expect(error.message).not.toContain("hunter2");
  });
});

describe("parseDuration", () => {
  it.each([
    ["250ms", 250],
    ["30s", 30_000],
    ["15m", 15 * 60_000],
    ["12h", 12 * 3_600_000],
    ["7d", 7 * DAY],
    ["1.5h", 90 * 60_000],
    ["0", 0],
    ["0s", 0],
    [" 2m ", 120_000],
  ])("reads %j as %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "30", "7 weeks", "7w", "-1s", "1e3s", "s", "1h30m", "P1D"])("refuses %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("parseSize", () => {
  it.each([
    ["1024", 1024],
    ["0", 0],
    ["100B", 100],
    ["64KiB", 64 * KiB],
    ["512MiB", 512 * MiB],
    ["2GiB", 2 * GiB],
    ["1TiB", 1024 * GiB],
    ["10 MiB", 10 * MiB],
  ])("reads %j as %d bytes", (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(["", "lots", "2GB", "1.5GiB", "-1", "MiB", "2 gib"])("refuses %j", (text) => {
    expect(parseSize(text)).toBeUndefined();
  });
});
