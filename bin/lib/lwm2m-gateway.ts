/**
 * Starts the LwM2M gateway worker when it is configured: reads the mapping file (a seed used while no mapping is
 * stored), opens the mapping store, and registers with the upstream server (or first asks the bootstrap server).
 */
import { readFile } from "node:fs/promises";
import { Lwm2mGateway } from "../../bindings/lwm2m-gateway/gateway.ts";
import type { Config } from "../../core/config.ts";
import { ValidationError } from "../../core/errors.ts";
import type { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { JetStreamGatewayMappings } from "../../core/jetstream-gateway-mappings.ts";
import type { Logger } from "../../core/log.ts";
import { type GatewayMapping, parseGatewayMapping } from "../../core/lwm2m-gateway-mapping.ts";

async function readMappingFile(path: string): Promise<GatewayMapping> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new ValidationError(`SPOKES_LWM2M_GATEWAY_MAPPING_FILE: cannot read ${path}`, [], { cause });
  }
  try {
    return parseGatewayMapping(JSON.parse(text));
  } catch (cause) {
    const issues = cause instanceof ValidationError ? cause.issues : [];
    const why = cause instanceof Error ? cause.message : "not JSON";
    throw new ValidationError(`SPOKES_LWM2M_GATEWAY_MAPPING_FILE ${path}: ${why}`, issues, { cause });
  }
}

/** The running gateway, or undefined when neither a server nor a bootstrap server is configured. */
export async function startLwm2mGateway(
  config: Config,
  log: JetStreamEventLog,
  logger: Logger,
): Promise<Lwm2mGateway | undefined> {
  const serverUrl = config.SPOKES_LWM2M_GATEWAY_SERVER_URL;
  const bootstrapUrl = config.SPOKES_LWM2M_GATEWAY_BOOTSTRAP_URL;
  if (!serverUrl && !bootstrapUrl) return undefined;
  const file = config.SPOKES_LWM2M_GATEWAY_MAPPING_FILE;
  const seed = file ? await readMappingFile(file) : undefined;
  const gateway = new Lwm2mGateway({
    log,
    mappings: await JetStreamGatewayMappings.open(log),
    ...(serverUrl ? { serverUrl } : { bootstrapUrl: bootstrapUrl as string }),
    endpoint: config.SPOKES_LWM2M_GATEWAY_ENDPOINT,
    lifetimeSeconds: Math.round(config.SPOKES_LWM2M_GATEWAY_LIFETIME / 1000),
    notifyIntervalSeconds: Math.round(config.SPOKES_LWM2M_GATEWAY_NOTIFY_INTERVAL / 1000),
    port: config.SPOKES_LWM2M_GATEWAY_PORT,
    freshness: { maxAgeMs: config.SPOKES_LWM2M_GATEWAY_MAX_AGE, readWaitMs: config.SPOKES_LWM2M_GATEWAY_READ_WAIT },
    ...(seed ? { seed } : {}),
    logger,
  });
  await gateway.start().catch(async (err: unknown) => {
    await gateway.stop();
    throw err;
  });
  return gateway;
}
