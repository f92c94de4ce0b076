/** Interop: the gateway bootstraps from Leshan's bootstrap server, then registers with the server it was given. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { JetStreamGatewayMappings } from "../../core/jetstream-gateway-mappings.ts";
import { createLogger } from "../../core/log.ts";
import { startTestNats, type TestNats } from "../../test/harness/index.ts";
import { type LeshanServer, startLeshanServer } from "../../test/peers/leshan-server/leshan-server.ts";
import { Lwm2mGateway } from "./gateway.ts";

const EP = "spokes-gateway-bootstrapped";
let nats: TestNats;
let log: JetStreamEventLog;
let leshan: LeshanServer;
let gateway: Lwm2mGateway;

beforeAll(async () => {
  nats = await startTestNats();
  log = await JetStreamEventLog.open({
    servers: nats.url,
    settings: {
      SPOKES_DEDUP_WINDOW: 120_000,
      SPOKES_EVENTS_MAX_AGE: 0,
      SPOKES_EVENTS_MAX_BYTES: 0,
      SPOKES_ACTIONS_MAX_AGE: 0,
      SPOKES_PRESENCE_MAX_AGE: 0,
    },
  });
  leshan = await startLeshanServer({ bootstrap: true });
  await leshan.bootstrapConfig(EP, leshan.url, 45);
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await leshan?.stop();
  await log?.close();
  await nats?.stop();
});

describe("bootstrap", () => {
  it("Given only a bootstrap server, When the gateway starts, Then it registers with the server and lifetime the bootstrap server wrote", async () => {
    gateway = new Lwm2mGateway({
      log,
      mappings: await JetStreamGatewayMappings.open(log),
      bootstrapUrl: leshan.bootstrapUrl as string,
      endpoint: EP,
      lifetimeSeconds: 300,
      notifyIntervalSeconds: 60,
      host: "127.0.0.1",
      logger: createLogger(process.env.SPOKES_LOG_LEVEL === "debug" ? "debug" : "error"),
    });
    await gateway.start();
    await leshan.waitFor((e) => e.kind === "registered" && e.endpoint === EP);
    const [client] = (await leshan.clients()).filter((c) => c.endpoint === EP);
    expect(client).toMatchObject({ endpoint: EP, version: "1.0", lifetime: 45 });
    expect((await leshan.call(EP, "read", { path: "/1/0/1", format: "TEXT" })).content).toMatchObject({ value: 45 });
  });
});
