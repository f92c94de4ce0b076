/** Interop: the gateway bootstraps from Leshan's bootstrap server, then registers with the server it was given. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import type { TestNats } from "../../test/harness/index.ts";
import { type LeshanServer, startLeshanServer } from "../../test/peers/leshan-server/leshan-server.ts";
import type { Lwm2mGateway } from "./gateway.ts";
import { startTestLog, stopAll, testGateway } from "./testing.ts";

const EP = "spokes-gateway-bootstrapped";
let nats: TestNats;
let log: JetStreamEventLog;
let leshan: LeshanServer;
let gateway: Lwm2mGateway;

beforeAll(async () => {
  ({ nats, log } = await startTestLog());
  leshan = await startLeshanServer({ bootstrap: true });
  await leshan.bootstrapConfig(EP, leshan.url, 45);
}, 120_000);

afterAll(() => stopAll(gateway, leshan, log, nats));

describe("bootstrap", () => {
  it("Given only a bootstrap server, When the gateway starts, Then it registers with the server and lifetime the bootstrap server wrote", async () => {
    gateway = await testGateway({
      log,
      bootstrapUrl: leshan.bootstrapUrl as string,
      endpoint: EP,
      lifetimeSeconds: 300,
      notifyIntervalSeconds: 60,
    });
    await gateway.start();
    await leshan.waitFor((e) => e.kind === "registered" && e.endpoint === EP);
    const [client] = (await leshan.clients()).filter((c) => c.endpoint === EP);
    expect(client).toMatchObject({ endpoint: EP, version: "1.0", lifetime: 45 });
    expect((await leshan.call(EP, "read", { path: "/1/0/1", format: "TEXT" })).content).toMatchObject({ value: 45 });
  });
});
