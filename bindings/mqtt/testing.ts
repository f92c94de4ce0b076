/**
 * The MQTT binding with its dispatcher, ownership and the real device registry over a real nats-server, for
 * integration tests. Devices are provisioned through the real provisioning flow.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../core/config.ts";
import { DeviceRegistry } from "../../core/device-registry.ts";
import { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { createLogger, type Logger } from "../../core/log.ts";
import { provisionTestDevice } from "../../test/harness/devices.ts";
import { ActionDispatcher, type DeliveryPolicy } from "../actions/dispatcher.ts";
import { ThingOwnership } from "../shared/ownership.ts";
import { MqttBinding, type MqttTls } from "./mqtt-binding.ts";

export type RunningMqtt = {
  log: JetStreamEventLog;
  registry: DeviceRegistry;
  /** Device tokens by device id. */
  tokens: Record<string, string>;
  /** Where the registry keeps its keys and CA (to provision more devices). */
  dataDir: string;
  ownership: ThingOwnership;
  dispatcher: ActionDispatcher;
  mqtt: MqttBinding;
  url: string;
  stop(): Promise<void>;
};

export async function startMqtt(o: {
  natsUrl: string;
  /** Devices to provision before the endpoint starts. */
  devices: string[];
  policy?: (device: string) => DeliveryPolicy;
  logger?: Logger;
  wsPort?: number;
  /** TLS with client certificates from the registry's CA. */
  tls?: Omit<MqttTls, "ca">;
}): Promise<RunningMqtt> {
  const logger = o.logger ?? createLogger("error");
  const log = await JetStreamEventLog.open({ servers: o.natsUrl, settings: loadConfig({}) });
  const dataDir = await mkdtemp(join(tmpdir(), "spokes-devices-"));
  const tokens: Record<string, string> = {};
  for (const device of o.devices) tokens[device] = (await provisionTestDevice(log, dataDir, device)).token;
  const registry = await DeviceRegistry.open({ log, dataDir, logger });
  const ownership = await ThingOwnership.open(log, logger);
  const dispatcher = await ActionDispatcher.open({
    log,
    ownerOf: (t) => ownership.ownerOf(t),
    logger,
    ...(o.policy ? { policy: o.policy } : {}),
  });
  const mqtt = await MqttBinding.start({
    log,
    authenticator: registry,
    ownership,
    dispatcher,
    logger,
    port: 0,
    ...(o.wsPort !== undefined ? { wsPort: o.wsPort } : {}),
    ...(o.tls ? { tls: { ...o.tls, ca: registry.ca.pem } } : {}),
  });
  return {
    log,
    registry,
    tokens,
    dataDir,
    ownership,
    dispatcher,
    mqtt,
    url: `mqtt://127.0.0.1:${mqtt.ports.tcp}`,
    async stop() {
      await mqtt.stop();
      await dispatcher.close();
      await ownership.close();
      await registry.close();
      await log.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
