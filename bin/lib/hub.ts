/**
 * Starting and stopping the whole hub in one process: the embedded nats-server when no NATS URL is configured,
 * the event log with its streams, and (as they land) the projection, BFF and binding workers.
 */
import { hostname } from "node:os";
import { resolve } from "node:path";
import { ensureAdmin } from "../../bff/bootstrap-admin.ts";
import { type Bff, createBff } from "../../bff/server.ts";
import { type AnnouncedPorts, DnsSdAnnouncer } from "../../bindings/provisioning/discovery.ts";
import { createProvisioningHandler } from "../../bindings/provisioning/handler.ts";
import { provisioningRoutes } from "../../bindings/provisioning/routes.ts";
import type { Config } from "../../core/config.ts";
import { DeviceRegistry } from "../../core/device-registry.ts";
import { UnavailableError } from "../../core/errors.ts";
import { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import type { Logger } from "../../core/log.ts";
import { statusMetrics } from "../../projections/status.ts";
import { serveAdmin } from "./admin.ts";
import { type CoapEndpoint, startCoap } from "./coap.ts";
import { type DeviceBindings, startDeviceBindings } from "./device-bindings.ts";
import { startLwm2mGateway } from "./lwm2m-gateway.ts";
import { findNatsServer, type NatsServerProcess, startNatsServer } from "./nats-server.ts";
import { type ReadModels, startReadModels } from "./read-models.ts";
import { type HubState, isAlive, readLiveState, readState, removeState, runtimeName, writeState } from "./state.ts";

export type RunningHub = {
  log: JetStreamEventLog;
  /** Every device's provisioning state, followed from the PROVISIONING stream: what bindings authenticate with. */
  registry: DeviceRegistry;
  readModels: ReadModels;
  state: HubState;
  /** Resolves when the hub stops by itself (e.g. the embedded nats-server died). */
  stopped: Promise<string>;
  stop(): Promise<void>;
};

export function openEventLog(config: Config, url: string, name: string, ensure = true): Promise<JetStreamEventLog> {
  return JetStreamEventLog.open({
    ensure,
    servers: url.split(","),
    settings: config,
    limits: { maxPayloadBytes: config.SPOKES_MAX_PAYLOAD_BYTES },
    window: config.SPOKES_APPEND_WINDOW,
    name,
  });
}

async function startEmbeddedNats(config: Config, dataDir: string, logger: Logger): Promise<NatsServerProcess> {
  const binary = findNatsServer(config.SPOKES_NATS_SERVER);
  if (!binary) {
    throw new UnavailableError(
      "nats-server not found. Run `npm run setup` to install it, set SPOKES_NATS_SERVER to its path, " +
        "or set SPOKES_NATS_URL to use a running server.",
    );
  }
  const natsLog = logger.child("nats-server");
  return startNatsServer({
    binary,
    port: config.SPOKES_EMBEDDED_NATS_PORT,
    storeDir: resolve(dataDir, "nats"),
    onLog: (line) => {
      if (/\[(ERR|FTL|WRN)\]/.test(line)) natsLog.warn(line.replace(/^\[\d+\] \S+ \S+ /, ""));
      else natsLog.debug(line);
    },
  }).catch((cause: unknown) => {
    throw new UnavailableError(
      `the embedded nats-server did not start on port ${config.SPOKES_EMBEDDED_NATS_PORT} ` +
        "(is the port taken? set SPOKES_EMBEDDED_NATS_PORT)",
      { cause },
    );
  });
}

/** The NATS URL of the configured or the running hub, for client commands. */
export function hubNatsUrl(config: Config): string {
  if (config.SPOKES_NATS_URL) return config.SPOKES_NATS_URL;
  const state = readLiveState(resolve(config.SPOKES_DATA_DIR));
  if (state) return state.nats.url;
  throw new UnavailableError(
    `no hub runs with data folder ${config.SPOKES_DATA_DIR}: start one with \`npm start\`, or set SPOKES_NATS_URL`,
  );
}

/** Opens the event log of the running hub as a client (streams are used, not reconfigured). */
export function connectToHub(config: Config, name: string): Promise<JetStreamEventLog> {
  return openEventLog(config, hubNatsUrl(config), name, false);
}

/** Starts the hub. `print` receives what a person must see once (e.g. a generated admin password). */
export async function startHub(
  config: Config,
  logger: Logger,
  print: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<RunningHub> {
  const dataDir = resolve(config.SPOKES_DATA_DIR);
  const running = readLiveState(dataDir);
  if (running) throw new UnavailableError(`the hub already runs with this data folder (pid ${running.pid})`);
  // A hub that was killed outright leaves its nats-server behind, holding the port and the store: stop it.
  const orphan = readState(dataDir)?.nats.pid;
  if (orphan && isAlive(orphan)) {
    logger.warn("stopping the nats-server left behind by a hub that did not stop cleanly", { pid: orphan });
    process.kill(orphan, "SIGTERM");
    for (let i = 0; i < 100 && isAlive(orphan); i++) await new Promise((r) => setTimeout(r, 50));
  }

  const nats = config.SPOKES_NATS_URL ? undefined : await startEmbeddedNats(config, dataDir, logger);
  const url = config.SPOKES_NATS_URL ?? (nats as NatsServerProcess).url;
  let log: JetStreamEventLog;
  try {
    log = await openEventLog(config, url, "spokes-hub");
  } catch (err) {
    await nats?.stop();
    throw err;
  }
  let readModels: ReadModels;
  try {
    readModels = await startReadModels(config, dataDir, log, url, logger);
  } catch (err) {
    await log.close();
    await nats?.stop();
    throw err;
  }
  const stopAdmin = serveAdmin(log.nc, readModels, logger.child("admin"));
  let bff: Bff;
  let httpPort: number;
  let lwm2mGateway: Awaited<ReturnType<typeof startLwm2mGateway>>;
  let registry: DeviceRegistry | undefined;
  let deviceBindings: DeviceBindings | undefined;
  let coap: CoapEndpoint | undefined;
  // Ports the hub announces and names in its Thing Description; device bindings add theirs when they listen.
  const announced: AnnouncedPorts = { http: 0 };
  const discovery = new DnsSdAnnouncer({
    name: config.SPOKES_DISCOVERY_NAME ?? `Spokes on ${hostname()}`.slice(0, 63),
    ports: () => announced,
    logger: logger.child("discovery"),
  });
  try {
    registry = await DeviceRegistry.open({
      log,
      dataDir,
      logger: logger.child("devices"),
      tokenTtlMs: config.SPOKES_DEVICE_TOKEN_TTL,
      certificateTtlMs: config.SPOKES_DEVICE_CERT_TTL,
    });
    const hubId = registry.ca.certificate.serialNumber.slice(0, 16);
    deviceBindings = await startDeviceBindings(config, log, registry, logger.child("devices"));
    // One handler for HTTP and CoAP, so a client address has one rate limit across both.
    const provisioningHandler = createProvisioningHandler({
      flow: registry.flow,
      logger: logger.child("provisioning"),
      ratePerMinute: config.SPOKES_PROVISIONING_RATE,
    });
    const provisioning = provisioningRoutes({
      flow: registry.flow,
      logger: logger.child("provisioning"),
      handler: provisioningHandler,
      endpoints: (req) => ({
        http:
          config.SPOKES_PUBLIC_URL ?? `http://${req.headers.host ?? `${config.SPOKES_HTTP_HOST}:${announced.http}`}`,
        hubId,
        ...(announced.mqtt ? { mqttPort: announced.mqtt } : {}),
        ...(announced.coap ? { coapPort: announced.coap } : {}),
      }),
    });
    bff = await createBff({
      db: readModels.database.db,
      log,
      dataDir,
      logger: logger.child("bff"),
      development: config.SPOKES_GRAPHIQL,
      corsOrigins: config.SPOKES_CORS_ORIGINS,
      accessTtlMs: config.SPOKES_ACCESS_TOKEN_TTL,
      refreshTtlMs: config.SPOKES_REFRESH_TOKEN_TTL,
      metrics: async () => statusMetrics(await readModels.status()),
      routes: [...provisioning, ...deviceBindings.routes],
      discovery,
    });
    httpPort = await bff.listen(config.SPOKES_HTTP_PORT, config.SPOKES_HTTP_HOST).catch(async (cause: unknown) => {
      await bff.close();
      throw new UnavailableError(
        `cannot listen on ${config.SPOKES_HTTP_HOST}:${config.SPOKES_HTTP_PORT} (is the port taken? set SPOKES_HTTP_PORT)`,
        { cause },
      );
    });
    await ensureAdmin({ log, logger, password: config.SPOKES_ADMIN_PASSWORD, print });
    lwm2mGateway = await startLwm2mGateway(config, log, logger.child("lwm2m-gateway"));
    announced.http = httpPort;
    announced.mqtt = (await deviceBindings.listen()).tcp;
    coap = await startCoap(config, log, registry, deviceBindings, logger.child("coap"), provisioningHandler);
    announced.coap = coap.port;
    if (config.SPOKES_DISCOVERY) await discovery.setEnabled(true);
  } catch (err) {
    await lwm2mGateway?.stop();
    await coap?.stop();
    stopAdmin();
    await discovery.close();
    await deviceBindings?.stop();
    await registry?.close();
    await readModels.stop();
    await log.close();
    await nats?.stop();
    throw err;
  }
  const devices = registry as DeviceRegistry;
  const bindings = deviceBindings as DeviceBindings;
  const state: HubState = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    runtime: runtimeName(),
    nats: { url, embedded: nats !== undefined, version: log.features.version, pid: nats?.child.pid },
    http: { url: `http://${config.SPOKES_HTTP_HOST}:${httpPort}/graphql` },
    devices: { mqtt: announced.mqtt, coap: announced.coap },
    workers: [
      "event-log",
      `projections (${readModels.database.kind === "postgres" ? "postgres, own thread" : readModels.database.kind})`,
      "graphql",
      "admin",
      "provisioning",
      "mqtt",
      "http-devices",
      "actions",
      "coap",
    ],
  };
  writeState(dataDir, state);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await lwm2mGateway?.stop().catch((err: unknown) => logger.warn("stopping the LwM2M gateway failed", { err }));
      stopAdmin();
      await discovery.close().catch((err: unknown) => logger.warn("stopping the DNS-SD announcement failed", { err }));
      await bff.close().catch((err: unknown) => logger.warn("stopping the GraphQL server failed", { err }));
      await coap?.stop().catch((err: unknown) => logger.warn("stopping the CoAP endpoint failed", { err }));
      await bindings.stop().catch((err: unknown) => logger.warn("stopping the device bindings failed", { err }));
      await devices.close();
      await readModels.stop().catch((err: unknown) => logger.warn("stopping the projections failed", { err }));
      await log.close().catch((err: unknown) => logger.warn("closing the event log failed", { err }));
      await nats?.stop();
      removeState(dataDir);
    })();
    return stopping;
  };
  const stopped = new Promise<string>((resolveStopped) => {
    nats?.child.once("exit", (code, signal) => {
      if (!stopping) resolveStopped(`the embedded nats-server exited (${signal ?? code})`);
    });
  });
  return { log, registry: devices, readModels, state, stopped, stop };
}
