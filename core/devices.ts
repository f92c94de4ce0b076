/**
 * How every binding asks "who is this device, and may it still talk to us?". The registry (built from the
 * PROVISIONING stream) implements it; bindings depend only on this shape.
 */

/**
 * What a device presents: a device token and/or the client certificate of its TLS connection, with its id where
 * the protocol carries one (MQTT username, LwM2M endpoint). Without `device`, the id is the one the token or the
 * certificate names; with it, they must agree.
 */
export type DeviceCredentials = {
  device?: string;
  /** The device token issued when its provisioning was approved. */
  token?: string;
  /** The client certificate (PEM or DER) the device presented on a TLS connection. */
  certificate?: string | Uint8Array;
};

export type DeviceIdentity = { device: string };

export interface DeviceAuthenticator {
  /**
   * Resolves to the device when the credentials are valid and the device is active; rejects with
   * `UnauthenticatedError` (never naming which part was wrong) otherwise.
   */
  authenticate(credentials: DeviceCredentials): Promise<DeviceIdentity>;
  /** True while the device is active (not disabled, revoked or unknown). Cheap: bindings call it per message. */
  isActive(device: string): boolean;
  /** Called when a device is disabled or revoked, so bindings can disconnect it. Returns an unsubscribe. */
  onDeactivated(listener: (device: string) => void): () => void;
}
