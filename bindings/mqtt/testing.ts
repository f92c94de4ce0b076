/** The MQTT binding with its dispatcher and ownership over a real nats-server, for integration tests. */

import { loadConfig } from "../../core/config.ts";
import type { DeviceAuthenticator } from "../../core/devices.ts";
import { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { createLogger, type Logger } from "../../core/log.ts";
import { ActionDispatcher, type DeliveryPolicy } from "../actions/dispatcher.ts";
import { ThingOwnership } from "../shared/ownership.ts";
import { MqttBinding } from "./mqtt-binding.ts";

export type RunningMqtt = {
  log: JetStreamEventLog;
  ownership: ThingOwnership;
  dispatcher: ActionDispatcher;
  mqtt: MqttBinding;
  url: string;
  stop(): Promise<void>;
};

export async function startMqtt(o: {
  natsUrl: string;
  authenticator: DeviceAuthenticator;
  policy?: (device: string) => DeliveryPolicy;
  logger?: Logger;
  wsPort?: number;
}): Promise<RunningMqtt> {
  const logger = o.logger ?? createLogger("error");
  const log = await JetStreamEventLog.open({ servers: o.natsUrl, settings: loadConfig({}) });
  const ownership = await ThingOwnership.open(log, logger);
  const dispatcher = await ActionDispatcher.open({
    log,
    ownerOf: (t) => ownership.ownerOf(t),
    logger,
    ...(o.policy ? { policy: o.policy } : {}),
  });
  const mqtt = await MqttBinding.start({
    log,
    authenticator: o.authenticator,
    ownership,
    dispatcher,
    logger,
    port: 0,
    ...(o.wsPort !== undefined ? { wsPort: o.wsPort } : {}),
  });
  return {
    log,
    ownership,
    dispatcher,
    mqtt,
    url: `mqtt://127.0.0.1:${mqtt.ports.tcp}`,
    async stop() {
      await mqtt.stop();
      await dispatcher.close();
      await ownership.close();
      await log.close();
    },
  };
}
