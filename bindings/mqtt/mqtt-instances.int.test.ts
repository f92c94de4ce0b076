import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../core/log.ts";
import { subjects } from "../../core/subjects.ts";
import { startTestNats, type TestNats } from "../../test/harness/index.ts";
import { ActionDispatcher } from "../actions/dispatcher.ts";
import { ThingOwnership } from "../shared/ownership.ts";
import { eventsIn, waitForEvents } from "../shared/testing.ts";
import { MqttBinding } from "./mqtt-binding.ts";
import { type RunningMqtt, startMqtt } from "./testing.ts";

let nats: TestNats;
let first: RunningMqtt;
let second: { mqtt: MqttBinding; dispatcher: ActionDispatcher; ownership: ThingOwnership };

beforeAll(async () => {
  nats = await startTestNats();
  first = await startMqtt({ natsUrl: nats.url, devices: ["roamer"] });
  // A second endpoint instance on the same log and registry, as when the binding is scaled out.
  const logger = createLogger("error");
  const ownership = await ThingOwnership.open(first.log, logger);
  const dispatcher = await ActionDispatcher.open({ log: first.log, ownerOf: (t) => ownership.ownerOf(t), logger });
  const endpoint = await MqttBinding.start({
    log: first.log,
    authenticator: first.registry,
    ownership,
    dispatcher,
    logger,
    port: 0,
  });
  second = { mqtt: endpoint, dispatcher, ownership };
}, 60_000);
afterAll(async () => {
  await second?.mqtt.stop();
  await second?.dispatcher.close();
  await second?.ownership.close();
  await first?.stop();
  await nats?.stop();
});

describe("several MQTT endpoint instances", () => {
  it("Given a device connected to the second instance, when an action is requested, then that instance delivers it, once", async () => {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${second.mqtt.ports.tcp}`, {
      username: "roamer",
      password: first.tokens.roamer,
      reconnectPeriod: 0,
    });
    await c.publishAsync("things/roamer-lamp/td", JSON.stringify({ id: "roamer-lamp", title: "Lamp" }), { qos: 1 });
    // The first instance learns of the claim from the THINGS stream.
    await waitForEvents(first.log, "THINGS", (e) => e.length === 1);
    for (let i = 0; i < 100 && first.ownership.ownerOf("roamer-lamp") !== "roamer"; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const got: string[] = [];
    c.on("message", (_t, p) => got.push(JSON.parse(p.toString()).actionId));
    await c.subscribeAsync("things/roamer-lamp/action/+", { qos: 1 });
    await first.log.append({
      subject: subjects.actionRequest("roamer-lamp", "toggle"),
      type: "spokes.ActionRequested",
      data: { actionId: "roam-1" },
    });
    const delivered = await waitForEvents(first.log, "ACTIONS", (e) => e.length >= 1, {
      filter: "actions.roam-1.delivered",
    });
    expect(delivered).toHaveLength(1);
    expect(got).toEqual(["roam-1"]);
    await c.endAsync();
    // The instance without the device records it queued only if nobody delivered it: never after the delivery.
    const steps = (await eventsIn(first.log, "ACTIONS", "actions.roam-1.*")).map((e) => e.subject);
    expect(steps.slice(steps.indexOf("actions.roam-1.delivered"))).toEqual(["actions.roam-1.delivered"]);
  });
});
