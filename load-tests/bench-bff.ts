/**
 * Targets (issue 4): device event → GraphQL subscriber latency p99 ≤ 25 ms at 1,000 events/s with 100
 * subscribers, and Things-list query p99 ≤ 10 ms with 1,000 Things.
 * Real nats-server, Postgres, projections and the BFF on loopback; subscribers use graphql-ws over WebSocket.
 * Each of the 100 subscribers follows its own Thing; events are spread evenly over those Things, so each
 * subscriber receives 10 events/s and the hub delivers 1,000 notifications/s. Latency is measured from just before
 * the append (the moment a binding would append a device's event) to the subscriber's receipt.
 * Baselines from the same run, to read the figures against a shared machine: the same number of `{ __typename }`
 * requests (HTTP, token check and GraphQL with no data), and a plain NATS subscription in the same process
 * receiving the same events (the floor the subscription path adds to). The load average is printed with each.
 * The queries go over one kept-alive node:http connection rather than fetch: a web app or k6 is another process,
 * while fetch's own garbage in this one (several MB promoted per young-generation collection) would stall the hub's
 * event loop and be read as the hub's latency.
 * Run: `npm run bench:bff [-- --seconds 10 --rate 1000 --subscribers 100 --things 1000]`.
 */
import { Agent, request } from "node:http";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { type GqlResponse, wsClient } from "../bff/test-client.ts";
import { startTestHub, td } from "../bff/test-hub.ts";
import { runtimeName } from "../bin/lib/state.ts";
import { STREAM_SUBJECTS, subjects } from "../core/subjects.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    rate: { type: "string", default: "1000" },
    subscribers: { type: "string", default: "100" },
    things: { type: "string", default: "1000" },
    queries: { type: "string", default: "500" },
  },
});
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const SUBS = Number(values.subscribers);
const THINGS = Number(values.things);
const QUERIES = Number(values.queries);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const fmt = (ms: number) => ms.toFixed(2);
const now = () => performance.timeOrigin + performance.now();
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
const loads: string[] = [`start ${load()}`];

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
/** One GraphQL request over the kept-alive connection. */
function gql(url: string, query: string, token: string): Promise<GqlResponse> {
  const body = JSON.stringify({ query });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          accept: "application/graphql-response+json, application/json",
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ...(JSON.parse(text) as object) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const hub = await startTestHub();
try {
  const admin = hub.tokens.admin as string;
  // 1,000 Things for the list query; the first SUBS of them also carry the subscribed events.
  const ids = Array.from({ length: THINGS }, (_, i) => `bench-${String(i).padStart(4, "0")}`);
  await hub.log.appendMany(
    ids.map((id) => ({
      subject: subjects.thingTd(id),
      type: "spokes.ThingDescribed",
      data: td(id, `Bench ${id}`, "Sensor"),
    })),
  );
  await hub.caughtUp();

  // CPU of this whole process (hub, BFF, projections and the clients) per operation: steadier than latency when
  // other jobs share the machine.
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const floorLatencies: number[] = [];
  const floorCpu = cpuMs();
  for (let i = 0; i < QUERIES; i++) {
    const t0 = performance.now();
    await gql(hub.url, "{ __typename }", admin);
    floorLatencies.push(performance.now() - t0);
  }
  const floorCpuPer = (cpuMs() - floorCpu) / QUERIES;
  const listLatencies: number[] = [];
  const listCpu = cpuMs();
  for (let i = 0; i < QUERIES; i++) {
    const t0 = performance.now();
    const r = await gql(hub.url, "{ things(first: 100) { nodes { id title types } pageInfo { endCursor } } }", admin);
    listLatencies.push(performance.now() - t0);
    if (i === 0 && (r.data?.things as { nodes: unknown[] } | undefined)?.nodes.length !== 100) {
      throw new Error(`things query returned ${JSON.stringify(r).slice(0, 300)}`);
    }
  }

  const listCpuPer = (cpuMs() - listCpu) / QUERIES;
  loads.push(`after queries ${load()}`);

  const natsLatencies: number[] = [];
  const raw = hub.log.nc.subscribe(STREAM_SUBJECTS.EVENTS[0] as string, {
    callback: (err, msg) => {
      if (err) return;
      const sentAt = (msg.json() as { sentAt?: number }).sentAt;
      if (typeof sentAt === "number") natsLatencies.push(now() - sentAt);
    },
  });
  const latencies: number[] = [];
  const clients = ids.slice(0, SUBS).map(() => wsClient(hub.url, admin));
  let ready = 0;
  const readers = clients.map(async (client, k) => {
    const results = client.iterate<{ thingEvents: { value: { sentAt: number } } }>({
      query: "subscription($t: ID!) { thingEvents(thing: $t) { value } }",
      variables: { t: ids[k] },
    });
    ready++;
    for await (const r of results) {
      const sentAt = r.data?.thingEvents.value.sentAt;
      if (typeof sentAt === "number") latencies.push(now() - sentAt);
    }
  });
  while (ready < SUBS) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 1000)); // let every subscription reach the live tail

  const subCpu = cpuMs();
  const total = RATE * SECONDS;
  const tick = 10;
  const perTick = Math.max(1, Math.round((RATE * tick) / 1000));
  const start = performance.now();
  let sent = 0;
  const appends: Promise<unknown>[] = [];
  while (sent < total) {
    for (let j = 0; j < perTick && sent < total; j++, sent++) {
      const thing = ids[sent % SUBS] as string;
      appends.push(
        hub.log.append({
          subject: subjects.event(thing, "reading"),
          type: "spokes.EventEmitted",
          data: { sentAt: now() },
        }),
      );
    }
    const due = start + (sent / RATE) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(appends);
  const achieved = total / ((performance.now() - start) / 1000);
  const deadline = Date.now() + 10_000;
  while (latencies.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const subCpuPer = (cpuMs() - subCpu) / total;
  raw.unsubscribe();
  await Promise.all(clients.map((c) => c.dispose()));
  await Promise.allSettled(readers);
  loads.push(`after subscriptions ${load()}`);

  console.log(`bench:bff — ${runtimeName()}, ${new Date().toISOString()}`);
  console.log("| measure | count | p50 ms | p99 ms | max ms |");
  console.log("|---|---:|---:|---:|---:|");
  const row = (what: string, xs: number[], count: string | number = xs.length) =>
    console.log(`| ${what} | ${count} | ${fmt(pct(xs, 50))} | ${fmt(pct(xs, 99))} | ${fmt(Math.max(...xs))} |`);
  row("baseline: `{ __typename }`, sequential", floorLatencies);
  console.log(
    `| things(first: 100) with ${THINGS} Things, sequential | ${listLatencies.length} | ${fmt(pct(listLatencies, 50))} | ${fmt(pct(listLatencies, 99))} | ${fmt(Math.max(...listLatencies))} |`,
  );
  console.log(
    `| event → subscriber, ${SUBS} subscribers, ${Math.round(achieved)} events/s for ${SECONDS} s | ${latencies.length}/${total} | ${fmt(pct(latencies, 50))} | ${fmt(pct(latencies, 99))} | ${fmt(Math.max(...latencies))} |`,
  );
  row("baseline: append → plain NATS subscriber, same events", natsLatencies, `${natsLatencies.length}/${total}`);
  console.log(
    `CPU ms of this process per operation: \`{ __typename }\` ${fmt(floorCpuPer)}, things(first: 100) ${fmt(listCpuPer)}, event to ${SUBS} subscribers (append, projections, delivery, clients) ${fmt(subCpuPer)}`,
  );
  console.log(`load average (1, 5, 15 min): ${loads.join("; ")}`);
} finally {
  agent.destroy();
  await hub.close();
}
