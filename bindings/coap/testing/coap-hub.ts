/**
 * The CoAP worker as the integration tests and the CoAP benchmark run it: on a free UDP port of 127.0.0.1, its
 * LwM2M registrations gated by the real device registry, over a JetStream event log. Not for production use.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../../core/config.ts";
import { DeviceRegistry } from "../../../core/device-registry.ts";
import { JetStreamEventLog } from "../../../core/jetstream-event-log.ts";
import { createLogger, type Logger } from "../../../core/log.ts";
import { startTestNats, type TestNats } from "../../../test/harness/index.ts";
import { CoapWorker, type CoapWorkerOptions } from "../coap-worker.ts";
import { registryGate } from "../lwm2m/endpoint-gate.ts";

/** Starts a worker on 127.0.0.1 (port chosen by the system) gated by `registry`; `extra` adds or overrides options. */
export function startGatedWorker(
  o: { log: JetStreamEventLog; registry: DeviceRegistry; logger: Logger },
  extra: Partial<CoapWorkerOptions> = {},
): Promise<CoapWorker> {
  return CoapWorker.start({
    log: o.log,
    logger: o.logger,
    port: 0,
    host: "127.0.0.1",
    gate: registryGate(o.registry, o.logger),
    ...extra,
  });
}

export type CoapTestHub = {
  nats: TestNats;
  log: JetStreamEventLog;
  /** The registry's data folder, a fresh temporary folder. */
  dataDir: string;
  registry: DeviceRegistry;
  logger: Logger;
  /** Starts a worker as {@link startGatedWorker} does; {@link CoapTestHub.stop} stops it. */
  worker(extra?: Partial<CoapWorkerOptions>): Promise<CoapWorker>;
  /** Stops the workers, then the registry, the log and nats-server, and removes the data folder. */
  stop(): Promise<void>;
};

/** A real nats-server, the event log on it and the device registry in a temporary folder named `spokes-<name>-…`. */
export async function startCoapTestHub(name: string): Promise<CoapTestHub> {
  const logger = createLogger("warn");
  const nats = await startTestNats();
  const workers: CoapWorker[] = [];
  let dataDir: string | undefined;
  let log: JetStreamEventLog | undefined;
  let registry: DeviceRegistry | undefined;
  const stop = async () => {
    for (const w of workers.reverse()) await w.stop();
    await registry?.close();
    await log?.close();
    await nats.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    dataDir = await mkdtemp(join(tmpdir(), `spokes-${name}-`));
    log = await JetStreamEventLog.open({ servers: nats.url, settings: loadConfig({}) });
    registry = await DeviceRegistry.open({ log, dataDir, logger });
  } catch (e) {
    await stop();
    throw e;
  }
  const parts = { log, registry, logger };
  return {
    nats,
    log,
    dataDir,
    registry,
    logger,
    worker: async (extra) => {
      const w = await startGatedWorker(parts, extra);
      workers.push(w);
      return w;
    },
    stop,
  };
}
