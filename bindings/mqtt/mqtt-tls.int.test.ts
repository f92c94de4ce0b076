import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subjects } from "../../core/subjects.ts";
import { provisionTestDevice } from "../../test/harness/devices.ts";
import { startTestNats, type TestNats } from "../../test/harness/index.ts";
import { eventsIn } from "../shared/testing.ts";
import { type RunningMqtt, startMqtt } from "./testing.ts";

const run = promisify(execFile);
let nats: TestNats;
let hub: RunningMqtt;
let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "spokes-mqtt-tls-"));
  // The server's own certificate (self-signed for 127.0.0.1), made with openssl as an operator would.
  await run("openssl", [
    ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1"],
    ...["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
    ...["-keyout", file("server.key"), "-out", file("server.crt")],
  ]);
  nats = await startTestNats();
  hub = await startMqtt({
    natsUrl: nats.url,
    devices: [],
    tls: { port: 0, key: await readFile(file("server.key")), cert: await readFile(file("server.crt")) },
  });
  // The device's key and certificate request; the hub's CA issues the certificate during provisioning.
  await run("openssl", [
    ...["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=tls-dev"],
    ...["-keyout", file("device.key"), "-out", file("device.csr")],
  ]);
  const csr = await readFile(file("device.csr"), "utf8");
  const issued = await provisionTestDevice(hub.log, hub.dataDir, "tls-dev", { csr });
  await writeFile(file("device.crt"), issued.certificate ?? "");
}, 60_000);
afterAll(async () => {
  await hub?.stop();
  await nats?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const pubTls = (topic: string, message: string, extra: string[]) =>
  run("mosquitto_pub", [
    ...["-h", "127.0.0.1", "-p", String(hub.mqtt.ports.tls), "--cafile", file("server.crt")],
    ...["-q", "1", "-t", topic, "-m", message, ...extra],
  ]);

describe("MQTT over TLS", () => {
  it("Given a device certificate issued by the hub's CA, when mosquitto_pub connects over TLS without a password, then the device is known by its certificate", async () => {
    await pubTls("things/tls-lamp/td", JSON.stringify({ id: "tls-lamp", title: "TLS lamp" }), [
      ...["--cert", file("device.crt"), "--key", file("device.key")],
    ]);
    expect(await eventsIn(hub.log, "THINGS", subjects.thingTd("tls-lamp"))).toMatchObject([
      { source: "devices/tls-dev" },
    ]);
  });

  it("Given no client certificate and no password, when mosquitto_pub connects over TLS, then the login is refused", async () => {
    await expect(pubTls("things/tls-lamp/event/x", "1", [])).rejects.toThrow();
    expect(await eventsIn(hub.log, "EVENTS", subjects.event("tls-lamp", "x"))).toEqual([]);
  });
});
