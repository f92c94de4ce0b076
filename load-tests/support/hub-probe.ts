/** Questions the load driver asks a running hub: has it caught up, which endpoints does it serve. */
import { waitForPort } from "../../test/harness/ports.ts";

async function metricsText(base: string): Promise<string> {
  return (await fetch(`${base}/metrics`)).text();
}

/** Resolves once every projection's lag (from `/metrics`) is 0; returns when that was. */
export async function caughtUp(base: string, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lags = [...(await metricsText(base)).matchAll(/^spokes_projection_lag\{[^}]*\} (\d+)/gm)].map((m) =>
      Number(m[1]),
    );
    if (lags.length > 0 && lags.every((l) => l === 0)) return Date.now();
    if (Date.now() > deadline) throw new Error(`projections did not catch up within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The HTTP status of a request, 0 when nothing answered. */
export async function status(url: string, init?: RequestInit): Promise<number> {
  try {
    const res = await fetch(url, init);
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

export function portOpen(port: number): Promise<boolean> {
  return waitForPort(port, 1500).then(
    () => true,
    () => false,
  );
}

/**
 * Which device-facing endpoints the hub serves: a route that exists answers a request without a token 401; the
 * MQTT listeners accept connections on the ports the hub was given.
 */
export async function deviceEndpoints(base: string, mqttPort: number, mqttWsPort: number) {
  return {
    httpDevices: (await status(`${base}/things/probe/event/x`, { method: "POST", body: "1" })) === 401,
    longPoll: (await status(`${base}/devices/probe/actions?wait=0`)) === 401,
    mqttTcp: await portOpen(mqttPort),
    mqttWs: await portOpen(mqttWsPort),
  };
}
