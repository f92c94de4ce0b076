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
  flow: { request(input: unknown): Promise<unknown> };
};

/** Statuses after which a new request is worth recording (not while one is pending or the device is barred). */
const MAY_REQUEST: readonly DeviceStatus[] = ["unknown", "rejected", "revoked"];

export function registryGate(devices: DeviceDirectory, logger: Logger): EndpointGate {
  return {
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
