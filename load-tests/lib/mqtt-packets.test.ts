import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { connect, DISCONNECT, PINGREQ, packetReader, puback, publish, subscribe } from "./mqtt-packets.ts";

/** Parses bytes with mqtt-packet, the parser mqtt.js uses, so our encoder is checked by code we did not write. */
function parse(bytes: Uint8Array): mqttPacket.Packet[] {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const out: mqttPacket.Packet[] = [];
  parser.on("packet", (p) => out.push(p));
  parser.on("error", (err) => {
    throw err;
  });
  parser.parse(Buffer.from(bytes));
  return out;
}

describe("MQTT 3.1.1 packets for the k6 scenarios", () => {
  it("Given a device's credentials, When CONNECT is encoded, Then mqtt-packet reads the same client, user and password", () => {
    const [p] = parse(connect({ clientId: "dev-1", username: "dev-1", password: "tök€n", keepAlive: 30 }));
    expect(p).toMatchObject({ cmd: "connect", clientId: "dev-1", username: "dev-1", keepalive: 30, clean: true });
    expect(String((p as mqttPacket.IConnectPacket).password)).toBe("tök€n");
  });

  it("Given a QoS 1 event, When PUBLISH is encoded, Then mqtt-packet reads topic, packet id and payload", () => {
    const payload = JSON.stringify({ sentAt: 1, note: "x".repeat(200) });
    const [p] = parse(publish("things/lamp-1/event/reading", payload, 1, 513));
    expect(p).toMatchObject({ cmd: "publish", topic: "things/lamp-1/event/reading", qos: 1, messageId: 513 });
    expect(String((p as mqttPacket.IPublishPacket).payload)).toBe(payload);
  });

  it("Given the other outgoing packets, When encoded, Then mqtt-packet reads each as what it is", () => {
    const packets = parse(
      new Uint8Array([...puback(7), ...subscribe(8, "things/+/action/+", 1), ...PINGREQ, ...DISCONNECT]),
    );
    expect(packets.map((p) => p.cmd)).toEqual(["puback", "subscribe", "pingreq", "disconnect"]);
    expect(packets[1]).toMatchObject({ messageId: 8, subscriptions: [{ topic: "things/+/action/+", qos: 1 }] });
  });

  it("Given packets written by mqtt-packet split at every byte, When read, Then each comes out whole and in order", () => {
    const bytes = Buffer.concat([
      mqttPacket.generate({ cmd: "connack", returnCode: 0, sessionPresent: false }),
      mqttPacket.generate({ cmd: "puback", messageId: 300 }),
      mqttPacket.generate({ cmd: "suback", messageId: 2, granted: [1] }),
      mqttPacket.generate({
        cmd: "publish",
        topic: "things/ä/action/toggle",
        payload: Buffer.from(`{"actionId":"a1","pad":"${"y".repeat(300)}"}`),
        qos: 1,
        messageId: 9,
        dup: false,
        retain: false,
      }),
      mqttPacket.generate({ cmd: "pingresp" }),
    ]);
    const read = packetReader();
    const out = [...bytes].flatMap((b) => read(new Uint8Array([b])));
    expect(out.map((p) => p.type)).toEqual(["connack", "puback", "suback", "publish", "pingresp"]);
    expect(out[1]).toEqual({ type: "puback", packetId: 300 });
    expect(out[3]).toMatchObject({ type: "publish", topic: "things/ä/action/toggle", qos: 1, packetId: 9 });
    expect(JSON.parse((out[3] as { payload: string }).payload)).toMatchObject({ actionId: "a1" });
  });

  it("Given a refused connection, When CONNACK is read, Then its return code is kept", () => {
    const read = packetReader();
    expect(read(new Uint8Array(mqttPacket.generate({ cmd: "connack", returnCode: 5, sessionPresent: false })))).toEqual(
      [{ type: "connack", returnCode: 5 }],
    );
  });
});
