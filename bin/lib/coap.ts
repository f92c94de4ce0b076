/**
 * The CoAP endpoint of one hub process: the LwM2M server and the plain-CoAP device paths on one UDP port, sharing
 * Thing ownership and action delivery with the other device bindings.
 */
import { CoapWorker } from "../../bindings/coap/coap-worker.ts";
import { registryGate } from "../../bindings/coap/lwm2m/endpoint-gate.ts";
import type { ProvisioningHandler } from "../../bindings/provisioning/handler.ts";
import type { Config } from "../../core/config.ts";
import type { DeviceRegistry } from "../../core/device-registry.ts";
import { UnavailableError } from "../../core/errors.ts";
import type { EventLog } from "../../core/event-log.ts";
import type { Logger } from "../../core/log.ts";
import type { DeviceBindings } from "./device-bindings.ts";

export type CoapEndpoint = { port: number; stop(): Promise<void> };

export async function startCoap(
  config: Config,
  log: EventLog,
  registry: DeviceRegistry,
  bindings: Pick<DeviceBindings, "ownership" | "dispatcher">,
  logger: Logger,
  /** Serves provisioning requests over CoAP too (the handler the HTTP endpoints use). */
  provisioning?: ProvisioningHandler,
): Promise<CoapEndpoint> {
  const worker = await CoapWorker.start({
    log,
    logger,
    port: config.SPOKES_COAP_PORT,
    host: config.SPOKES_COAP_HOST,
    gate: registryGate(registry, logger.child("lwm2m")),
    authenticator: registry,
    ownership: bindings.ownership,
    dispatcher: bindings.dispatcher,
    awakeMs: config.SPOKES_LWM2M_AWAKE_TIME,
    autoObserve: config.SPOKES_LWM2M_OBSERVE,
    maxPayloadBytes: config.SPOKES_MAX_PAYLOAD_BYTES,
    ...(provisioning ? { provisioning } : {}),
  }).catch((cause: unknown) => {
    throw new UnavailableError(
      `cannot listen for CoAP on ${config.SPOKES_COAP_HOST} UDP port ${config.SPOKES_COAP_PORT} ` +
        "(is the port taken? set SPOKES_COAP_PORT)",
      { cause },
    );
  });
  return { port: worker.port, stop: () => worker.stop() };
}
