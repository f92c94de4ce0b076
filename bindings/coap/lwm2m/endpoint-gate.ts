/**
 * Which LwM2M endpoints may register: devices that are provisioned (active) or pre-approved. An unknown endpoint
 * is refused, and its attempt becomes a provisioning request an administrator can approve.
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "../../../core/log.ts";
import type { DeviceStatus } from "../../../core/provisioning.ts";
import type { Peer } from "./device-requests.ts";
import type { EndpointGate } from "./lwm2m-server.ts";

/** The part of the device registry the gate needs. */
export type DeviceDirectory = {
  get(device: string): { status: DeviceStatus } | undefined;
  isActive(device: string): boolean;
  onDeactivated(listener: (device: string) => void): () => void;
  flow: { request(input: unknown): Promise<unknown> };
};

/** Only a device the hub has never heard of becomes a request; pending, rejected or revoked ones stay as they are. */
const MAY_REQUEST: readonly DeviceStatus[] = ["unknown"];

export function registryGate(devices: DeviceDirectory, logger: Logger): EndpointGate {
  return {
    onDeactivated: (listener) => devices.onDeactivated(listener),
    mayRegister: (endpoint) => devices.isActive(endpoint) || devices.get(endpoint)?.status === "preapproved",
    refused: async (endpoint: string, from: Peer) => {
      const status = devices.get(endpoint)?.status ?? "unknown";
      if (!MAY_REQUEST.includes(status)) return;
      logger.info("an unknown LwM2M endpoint tried to register; recorded as a provisioning request", {
        endpoint,
        address: from.address,
      });
      await devices.flow.request({ device: endpoint, nonce: randomBytes(16).toString("hex") });
    },
  };
}
