/**
 * What the gateway's integration tests share: a real nats-server with the event log over it, a gateway on
 * 127.0.0.1 with the test defaults, waiting for a condition, and stopping it all.
 */
import { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { JetStreamGatewayMappings } from "../../core/jetstream-gateway-mappings.ts";
import { createLogger, type Logger } from "../../core/log.ts";
import { startTestNats, type TestNats } from "../../test/harness/index.ts";
import { Lwm2mGateway, type Lwm2mGatewayOptions } from "./gateway.ts";

/** The gateway's default per-Thing object layout, as a Leshan model (Leshan needs one to decode TLV). */
export const AFFORDANCE_OBJECT = "1:RW:STRING,2:RW:INTEGER,3:RW:FLOAT,4:RW:BOOLEAN,5:RW:OPAQUE,6:RW:TIME,7:E:NONE";

/** A fresh nats-server and the event log over it, keeping everything (no age or size limits). */
export async function startTestLog(): Promise<{ nats: TestNats; log: JetStreamEventLog }> {
  const nats = await startTestNats();
  try {
    const log = await JetStreamEventLog.open({
      servers: nats.url,
      settings: {
        SPOKES_DEDUP_WINDOW: 120_000,
        SPOKES_EVENTS_MAX_AGE: 0,
        SPOKES_EVENTS_MAX_BYTES: 0,
        SPOKES_ACTIONS_MAX_AGE: 0,
        SPOKES_PRESENCE_MAX_AGE: 0,
      },
    });
    return { nats, log };
  } catch (err) {
    await nats.stop();
    throw err;
  }
}

/** Errors only, unless SPOKES_LOG_LEVEL=debug. */
export const testLogger = (): Logger => createLogger(process.env.SPOKES_LOG_LEVEL === "debug" ? "debug" : "error");

export type TestGatewayOptions = Omit<Lwm2mGatewayOptions, "mappings" | "logger"> &
  Partial<Pick<Lwm2mGatewayOptions, "mappings" | "logger">>;

/** A gateway (not started) on 127.0.0.1 reading mappings from the log, unless `o` says otherwise. */
export async function testGateway(o: TestGatewayOptions): Promise<Lwm2mGateway> {
  return new Lwm2mGateway({
    host: "127.0.0.1",
    logger: testLogger(),
    ...o,
    mappings: o.mappings ?? (await JetStreamGatewayMappings.open(o.log)),
  });
}

/** Resolves once `done` holds; fails after `timeoutMs`. */
export async function until(done: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("the condition never held");
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Stoppable = { stop(): unknown } | { close(): unknown };

/** Stops each part in the order given (gateway, peers, log, nats); a part that never started is skipped. */
export async function stopAll(...parts: (Stoppable | undefined)[]): Promise<void> {
  for (const part of parts) {
    if (part === undefined) continue;
    await ("stop" in part ? part.stop() : part.close());
  }
}
