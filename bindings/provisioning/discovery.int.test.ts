/**
 * The announcement as an mDNS browser sees it, over real multicast on this machine's interfaces. Instance names are
 * unique per run, so other hubs announcing nearby do not confuse the test.
 */
import { Bonjour, type Service } from "bonjour-service";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../core/log.ts";
import { DnsSdAnnouncer } from "./discovery.ts";

const name = `Spokes test ${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const announcer = new DnsSdAnnouncer({
  name,
  ports: () => ({ http: 4711, mqtt: 1883, coap: 5683 }),
  logger: createLogger("warn"),
});
const browser = new Bonjour({}, () => {});

afterAll(async () => {
  await announcer.close();
  await new Promise<void>((r) => browser.destroy(() => r()));
});

/** Resolves with the first service of `type` named `instance` that goes up (or down). */
function seen(event: "up" | "down", type: string, instance: string, protocol: "tcp" | "udp" = "tcp") {
  return new Promise<Service>((resolve) => {
    const b = browser.find({ type, protocol });
    b.on(event, (s: Service) => {
      if (s.name === instance) {
        b.stop();
        resolve(s);
      }
    });
  });
}

describe("DNS-SD announcement", () => {
  it("Given the hub announces itself, When a browser looks for WoT directories, Then it finds the hub's endpoints", async () => {
    const wot = seen("up", "wot", name);
    const mqtt = seen("up", "mqtt", `${name} MQTT`);
    const coap = seen("up", "coap", `${name} CoAP`, "udp");
    const graphql = seen("up", "http", `${name} GraphQL`);
    await announcer.setEnabled(true);
    expect(announcer.enabled).toBe(true);
    const w = await wot;
    expect(w.port).toBe(4711);
    expect(w.txt).toMatchObject({ td: "/.well-known/wot", type: "Directory", provisioning: "/provisioning/requests" });
    expect((await mqtt).port).toBe(1883);
    expect((await coap).port).toBe(5683);
    expect((await graphql).txt).toMatchObject({ path: "/graphql" });
  });

  it("Given the hub is announced, When an administrator switches discovery off, Then browsers see it go down", async () => {
    await announcer.setEnabled(false);
    // One browser sees both: a goodbye only means something to a browser that knew the service.
    const b = browser.find({ type: "wot" });
    const events: string[] = [];
    const up = new Promise<void>((resolve) =>
      b.on("up", (s: Service) => {
        if (s.name !== name) return;
        events.push("up");
        resolve();
      }),
    );
    const upThenDown = new Promise<void>((resolve) =>
      b.on("down", (s: Service) => {
        if (s.name !== name) return;
        events.push("down");
        resolve();
      }),
    );
    await announcer.setEnabled(true);
    await up;
    await announcer.setEnabled(false);
    expect(announcer.enabled).toBe(false);
    await upThenDown;
    b.stop();
    expect(events).toEqual(["up", "down"]);
  });
});
