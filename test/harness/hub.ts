/**
 * A whole hub for end-to-end tests: the environment that starts one on free ports, and its event log.
 */
import { loadConfig } from "../../core/config.ts";
import { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { freePort } from "./ports.ts";

type Listener =
  | "SPOKES_EMBEDDED_NATS_PORT"
  | "SPOKES_HTTP_PORT"
  | "SPOKES_MQTT_PORT"
  | "SPOKES_MQTT_WS_PORT"
  | "SPOKES_COAP_PORT";

export type HubEnv = Record<"SPOKES_DATA_DIR" | Listener, string> & Record<string, string>;

/**
 * The environment of a hub keeping its data in `dataDir` with every listener (NATS, HTTP, MQTT, MQTT over
 * WebSocket, CoAP) on a free port, discovery off and warnings only in its log; `extra` adds or overrides settings.
 */
export async function hubEnv(dataDir: string, extra: Record<string, string> = {}): Promise<HubEnv> {
  return {
    SPOKES_DATA_DIR: dataDir,
    SPOKES_EMBEDDED_NATS_PORT: String(await freePort()),
    SPOKES_HTTP_PORT: String(await freePort()),
    SPOKES_MQTT_PORT: String(await freePort()),
    SPOKES_MQTT_WS_PORT: String(await freePort()),
    SPOKES_COAP_PORT: String(await freePort()),
    SPOKES_DISCOVERY: "false",
    SPOKES_LOG_LEVEL: "warn",
    ...extra,
  };
}

/** The event log of a running hub, through its embedded nats-server (the streams are the hub's; none is created). */
export function openHubLog(env: Pick<HubEnv, "SPOKES_EMBEDDED_NATS_PORT">): Promise<JetStreamEventLog> {
  return JetStreamEventLog.open({
    servers: `nats://127.0.0.1:${env.SPOKES_EMBEDDED_NATS_PORT}`,
    settings: loadConfig({}),
    ensure: false,
  });
}
