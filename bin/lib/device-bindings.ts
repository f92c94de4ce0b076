/**
 * The device bindings of one hub process: Thing ownership, the action dispatcher, the MQTT endpoint (TCP,
 * WebSocket, optional TLS) and the HTTP device routes served beside GraphQL.
 */
import { readFileSync } from "node:fs";
import { ActionDispatcher, type DeliveryPolicy } from "../../bindings/actions/dispatcher.ts";
import { deviceRoutes, type HttpRoute } from "../../bindings/http/device-routes.ts";
import { MqttBinding, type MqttPorts, type MqttTls } from "../../bindings/mqtt/mqtt-binding.ts";
import { FactPublisher } from "../../bindings/shared/fact-publisher.ts";
import { ThingOwnership } from "../../bindings/shared/ownership.ts";
import { PresenceReporter } from "../../bindings/shared/presence.ts";
import type { Config } from "../../core/config.ts";
import type { DeviceSettings } from "../../core/device-settings.ts";
import type { DeviceAuthenticator } from "../../core/devices.ts";
import { UnavailableError, ValidationError } from "../../core/errors.ts";
import type { EventLog } from "../../core/event-log.ts";
import type { Logger } from "../../core/log.ts";

export type DeviceBindings = {
  ownership: ThingOwnership;
  dispatcher: ActionDispatcher;
  /** HTTP device routes, for the BFF's `routes`. */
  routes: HttpRoute[];
  /** Starts the MQTT endpoint; resolves to its ports. */
  listen(): Promise<MqttPorts>;
  stop(): Promise<void>;
};

/**
 * The delivery policy of a device: its own settings in the log first (`changeDeviceSettings`), then its entry in
 * `SPOKES_ACTION_DEVICES`, then the hub-wide configuration.
 */
export function deliveryPolicy(
  config: Config,
  settingsOf: (device: string) => DeviceSettings = () => ({}),
): (device: string) => DeliveryPolicy {
  return (device) => {
    const set = settingsOf(device);
    const own = config.SPOKES_ACTION_DEVICES?.[device];
    const ttl = set.actionTtlMs ?? own?.ttl ?? config.SPOKES_ACTION_TTL;
    return {
      mode: set.actionDelivery ?? own?.delivery ?? config.SPOKES_ACTION_DELIVERY,
      ...(ttl > 0 ? { defaultTtlMs: ttl } : {}),
      mergePropertyWrites: set.mergePropertyWrites ?? own?.mergeWrites ?? config.SPOKES_ACTION_MERGE_WRITES,
    };
  };
}

function tlsOf(config: Config): MqttTls | undefined {
  const { SPOKES_MQTT_TLS_PORT: port, SPOKES_MQTT_TLS_CERT: cert, SPOKES_MQTT_TLS_KEY: key } = config;
  if (port === undefined) return undefined;
  if (!cert || !key) {
    throw new ValidationError("SPOKES_MQTT_TLS_PORT needs SPOKES_MQTT_TLS_CERT and SPOKES_MQTT_TLS_KEY");
  }
  try {
    return { port, cert: readFileSync(cert), key: readFileSync(key) };
  } catch (cause) {
    throw new UnavailableError("cannot read the MQTT TLS certificate or key file", { cause });
  }
}

export async function startDeviceBindings(
  config: Config,
  log: EventLog,
  authenticator: DeviceAuthenticator & { ca?: { pem: string }; settingsOf?: (device: string) => DeviceSettings },
  logger: Logger,
): Promise<DeviceBindings> {
  const tls = tlsOf(config);
  const ownership = await ThingOwnership.open(log, logger.child("ownership"));
  const dispatcher = await ActionDispatcher.open({
    log,
    ownerOf: (thing) => ownership.ownerOf(thing),
    logger: logger.child("actions"),
    policy: deliveryPolicy(config, authenticator.settingsOf?.bind(authenticator)),
  });
  const presence = new PresenceReporter({
    log,
    binding: "http",
    thingsOf: (d) => ownership.thingsOf(d),
    logger: logger.child("presence"),
  });
  const routes = [
    deviceRoutes({
      authenticator,
      facts: new FactPublisher(log, ownership, { maxPayloadBytes: config.SPOKES_MAX_PAYLOAD_BYTES }),
      dispatcher,
      presence,
      logger: logger.child("http-devices"),
      maxBodyBytes: config.SPOKES_MAX_PAYLOAD_BYTES,
    }),
  ];
  let mqtt: MqttBinding | undefined;
  return {
    ownership,
    dispatcher,
    routes,
    async listen() {
      mqtt = await MqttBinding.start({
        log,
        authenticator,
        ownership,
        dispatcher,
        logger: logger.child("mqtt"),
        host: config.SPOKES_MQTT_HOST,
        port: config.SPOKES_MQTT_PORT,
        wsPort: config.SPOKES_MQTT_WS_PORT,
        maxPayloadBytes: config.SPOKES_MAX_PAYLOAD_BYTES,
        ...(tls ? { tls: { ...tls, ...(authenticator.ca ? { ca: authenticator.ca.pem } : {}) } } : {}),
      }).catch((cause: unknown) => {
        throw new UnavailableError(
          `cannot listen for MQTT on ${config.SPOKES_MQTT_HOST} ports ${config.SPOKES_MQTT_PORT}/` +
            `${config.SPOKES_MQTT_WS_PORT} (is a port taken? set SPOKES_MQTT_PORT and SPOKES_MQTT_WS_PORT)`,
          { cause },
        );
      });
      return mqtt.ports;
    },
    async stop() {
      await mqtt?.stop().catch((err: unknown) => logger.warn("stopping the MQTT endpoint failed", { err }));
      await dispatcher.close();
      await ownership.close();
    },
  };
}
