import { PGlite } from "@electric-sql/pglite";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeDeliveredText, deliveryFrom, headerBlockText, newAck, readAck } from "../../core/jetstream-event-log.ts";
import { subjects } from "../../core/subjects.ts";
import { FrameReader, messageOf } from "../bare-subscription.ts";
import { CopyLineWriter } from "../db/copy-bytes.ts";
import { sortOut } from "../process-batch.ts";
import { history } from "./projection.ts";

type Row = { day: string; line: string };
type Stored = { subject: string; header: string; payload: Buffer };

/** Both ways to a row, for each message: straight from the bytes (`rowOf`), and decoded, checked and handled. */
function bothWays(messages: Stored[]): { fast: Row | undefined; decoded: Row | undefined }[] {
  const out: { fast: Row | undefined; decoded: Row | undefined }[] = [];
  const ack = newAck();
  const reader = new FrameReader(
    (f) => {
      if (!readAck(f.buf, f.reply, f.replyEnd, ack)) throw new Error("no ack subject");
      const fast = history.bulk?.rowOf?.(f, ack) as { day: string; line: Buffer } | undefined;
      const m = messageOf(f);
      const event = decodeDeliveredText(m.subject, m.header, m.payload, deliveryFrom(f.buf, ack));
      const { valid } = sortOut([event]);
      const rows = valid.length ? (history.prepare(valid).rows as { day: string; line: string }[]) : [];
      out.push({
        fast: fast && { day: fast.day, line: fast.line.toString() },
        decoded: rows[0] && { day: rows[0].day, line: rows[0].line },
      });
    },
    () => {},
  );
  messages.forEach((m, i) => {
    const header = Buffer.from(m.header);
    const reply = `$JS.ACK.EVENTS.rp1.1.${i + 1}.${i + 1}.1795311695917000000.0`;
    reader.feed(
      Buffer.concat([
        Buffer.from(`HMSG ${m.subject} 1 ${reply} ${header.length} ${header.length + m.payload.length}\r\n`),
        header,
        m.payload,
        Buffer.from("\r\n"),
      ]),
    );
  });
  return out;
}

const header = (type: string, time: string, received = "2026-11-22T10:00:00.000Z") =>
  headerBlockText({ id: "e1", type, source: "devices/d1", time, received });

describe("history's rows made straight from stored bytes", () => {
  it("Given values as the hub stores them, When turned into rows, Then each is the row of its decoded event, none left to decoding", () => {
    const thing = "urn:dev:ops:lamp.1 kitchen\\a\tb";
    const values = [{ watts: 5, phase: "L1" }, [1, -2, "x\ny"], "on", true, 0, { s: 'quote " and \\ back' }];
    const stored = values.map((v, i) => ({
      subject: i % 2 ? subjects.event(thing, "ev.1") : subjects.property(thing, "power"),
      header: header(
        i % 2 ? "spokes.EventEmitted" : "spokes.PropertyReported",
        new Date(1795311695917 + i).toISOString(),
      ),
      payload: Buffer.from(JSON.stringify(v)),
    }));
    const rows = bothWays(stored);
    expect(rows.every((r) => r.fast !== undefined)).toBe(true);
    for (const r of rows) expect(r.fast).toEqual(r.decoded);
    expect(rows[0]?.fast?.line).toMatch(
      /^1\turn.*\tproperty\tpower\t2026-11-22T01:41:35.917Z\t2026-11-22T10:00:00.000Z\t\{"watts"/,
    );
  });

  it("Given any JSON value, time form and spacing, When turned into rows, Then a row made from the bytes is the row of the decoded event", () => {
    const iso = fc
      .date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
      .map((d) => d.toISOString());
    const time = fc.oneof(
      { weight: 4, arbitrary: iso },
      fc.constantFrom("2026-11-22T01:30:00+02:00", "", "2026-11-22T01:30:00Z", "garbage-not-a-timeZ"),
    );
    const received = fc.oneof({ weight: 4, arbitrary: iso }, fc.constant(undefined));
    const plain = fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null)));
    const payload = fc.oneof(
      { weight: 3, arbitrary: plain.map((v) => JSON.stringify(v)) },
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.jsonValue().map((v) => JSON.stringify(v, null, 2)),
      plain.map((v) => `\ufeff${JSON.stringify(v, null, "\t")}`),
      fc.constantFrom("", "null", " null", "-0", "1e3", "12345678901234567"),
    );
    const type = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom("spokes.PropertyReported", "spokes.EventEmitted") },
      fc.constantFrom("spokes.ThingDescribed", "x.Unknown"),
    );
    let made = 0;
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.boolean(),
        type,
        time,
        received,
        payload,
        (thing, isEvent, t, at, received, text) => {
          const subject = isEvent ? subjects.event(thing, "e") : subjects.property(thing, "p");
          const block = headerBlockText({ id: "i", type: t, source: "s", time: at, received: received ?? "" });
          const [r] = bothWays([{ subject, header: block, payload: Buffer.from(text) }]);
          if (r?.fast === undefined) return;
          made++;
          expect(r.fast).toEqual(r.decoded);
        },
      ),
      { numRuns: 2000 },
    );
    // A fair share of the cases are ones the bytes serve (the others are decoded, as the decoded side shows).
    expect(made).toBeGreaterThan(200);
  });

  it("Given the CloudEvents headers in another order than the hub writes them, When turned into a row, Then it is the row of the decoded event", () => {
    const block =
      "NATS/1.0\r\nce-received: 2026-11-22T10:00:00.000Z\r\nce-time: 2026-11-21T23:59:59.000Z\r\nce-id: x\r\n" +
      "ce-type: spokes.PropertyReported\r\n\r\n";
    const [r] = bothWays([{ subject: subjects.property("t", "p"), header: block, payload: Buffer.from("[1,2]") }]);
    expect(r?.fast).toEqual(r?.decoded);
    expect(r?.fast?.day).toBe("2026-11-21");
  });

  it("Given a payload that is not JSON but starts like JSON, When turned into a row, Then its line holds the text as stored, which Postgres refuses (the batch then goes back through apply)", () => {
    const [r] = bothWays([
      {
        subject: subjects.property("t", "p"),
        header: header("spokes.PropertyReported", "2026-11-22T10:00:00.000Z"),
        payload: Buffer.from("true-ish"),
      },
    ]);
    expect(r?.fast?.line).toMatch(/\ttrue-ish\n$/);
    expect(r?.decoded?.line).toMatch(/\t"true-ish"\n$/);
  });
});

describe("Postgres's JSON parser, which rows made from stored bytes rely on", () => {
  let pg: PGlite;
  beforeAll(async () => {
    pg = new PGlite();
  });
  afterAll(async () => {
    await pg?.close();
  });

  it("Given texts near JSON, When Postgres takes one as jsonb, Then JSON.parse takes it too", async () => {
    const nearJson = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .tuple(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.nat(),
          fc.string({ maxLength: 3 }),
        )
        .map(([s, at, insert]) => s.slice(0, at % (s.length + 1)) + insert + s.slice(at % (s.length + 1))),
      fc.stringMatching(/^[-0-9.eE+ tfrueals"[\]{},:]{1,12}$/),
    );
    const texts = fc.sample(nearJson, { numRuns: 3000, seed: 7 });
    let taken = 0;
    for (const text of texts) {
      const postgres = await pg.query("select $1::jsonb", [text]).then(
        () => true,
        () => false,
      );
      if (!postgres) continue;
      taken++;
      expect(() => JSON.parse(text), text).not.toThrow();
    }
    expect(taken).toBeGreaterThan(500);
  });
});

describe("CopyLineWriter", () => {
  it("Given lines that fill several slabs, When written, Then each line comes back whole and escaped", () => {
    const w = new CopyLineWriter();
    const text = Buffer.from('a\\b\tc\nd\re"f');
    const lines: Buffer[] = [];
    for (let i = 0; i < 40_000; i++) {
      const seq = Buffer.from(String(i));
      lines.push(w.raw(seq, 0, seq.length).byte(9).field(text, 0, text.length).byte(10).end());
    }
    expect(lines.every((l, i) => l.toString() === `${i}\ta\\\\b\\tc\\nd\\re"f\n`)).toBe(true);
    expect(w.byte(65).end().toString()).toBe("A");
  });
});
