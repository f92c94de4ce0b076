/**
 * A provisioned device for tests, made through the real provisioning flow: pre-approved with an out-of-band
 * secret, then its request (with that secret) is approved at once and its credentials issued.
 */
import { loadOrCreateDeviceKeys } from "../../core/device-tokens.ts";
import { loadOrCreateHubCa } from "../../core/hub-ca.ts";
import type { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { createProvisioningFlow } from "../../core/provisioning-flow.ts";
import { randomSecret } from "../../core/secrets.ts";

/** Provisions `device` in the log; `dataDir` must be the one the hub's (or the test's) DeviceRegistry uses. */
export async function provisionTestDevice(
  log: JetStreamEventLog,
  dataDir: string,
  device: string,
  o: { publicKey?: string; csr?: string } = {},
): Promise<{ device: string; token: string; certificate?: string }> {
  const [keys, ca] = await Promise.all([loadOrCreateDeviceKeys(dataDir), loadOrCreateHubCa(dataDir)]);
  const flow = createProvisioningFlow({ log, keys, ca });
  const secret = randomSecret();
  await flow.preapprove({ device, secret }, "test-harness");
  const answer = await flow.request({ device, nonce: randomSecret(), secret, ...o });
  if (answer.status !== "active" || answer.token === undefined) {
    throw new Error(`provisioning ${device} ended ${answer.status}, not with credentials`);
  }
  return { device, token: answer.token, ...(answer.certificate ? { certificate: answer.certificate } : {}) };
}
