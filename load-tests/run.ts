/**
 * The load run: starts the hub (`spokes start` on Node, Bun or Deno, read models on a Postgres server) and, in the
 * same run, the baselines it is compared with — a bare HTTP server, a bare HTTP-to-JetStream server, mosquitto,
 * Postgres COPY — then runs every k6 scenario in load-tests/*.k6.ts against the hub and against its ceiling, and
 * the Node MQTT driver against both brokers. Prints a Markdown table and writes the JSON summary.
 *
 *   node load-tests/run.ts [--smoke] [--seconds 20] [--runtimes node,bun,deno] [--only http-ingest,…]
 *                          [--pglite] [--out dir] [--json file] [--record]
 *
 * --smoke runs each scenario for a few seconds at low rates: it proves they run with 0 errors and judges no speed.
 * --record appends the table to docs/benchmarks.md. Scenarios whose hub endpoints are missing are reported as
 * not available, never stood in for.
 */
import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readState } from "../bin/lib/state.ts";
import { loadConfig } from "../core/config.ts";
import { JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { freshDatabaseUrl } from "../projections/test-support.ts";
import { ROOT, type Runtime, spawnUntil, stopAllStarted } from "../test/harness/cli.ts";
import { freePort, startTestNats, startTestPostgres } from "../test/harness/index.ts";
import { measureCopy } from "./baselines/postgres-copy.ts";
import { caughtUp, deviceEndpoints } from "./support/hub-probe.ts";
import {
  type Child,
  findK6,
  type K6Summary,
  mqttDriver,
  runK6,
  scriptCommand,
  startListening,
  startMosquitto,
} from "./support/processes.ts";
import {
  commit,
  type Figure,
  figureRow,
  k6Errors,
  machine,
  markdown,
  metricValue,
  type Row,
} from "./support/report.ts";
import { anonymousDevices, type Device, provisionDevices, seedThings } from "./support/seed.ts";

const { values: args } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    seconds: { type: "string" },
    runtimes: { type: "string", default: "node" },
    only: { type: "string" },
    pglite: { type: "boolean", default: false },
    out: { type: "string" },
    json: { type: "string" },
    record: { type: "boolean", default: false },
  },
});
const SMOKE = args.smoke;
const SECONDS = Number(args.seconds ?? (SMOKE ? 3 : 20));
const RUNTIMES = (args.runtimes === "all" ? "node,bun,deno" : args.runtimes).split(",") as Runtime[];
const ONLY = args.only?.split(",");
const wanted = (scenario: string) => !ONLY || ONLY.includes(scenario);
const ADMIN_PASSWORD = "load-test-admin-password";

/** Load shapes: the full run's are the goals' conditions; the smoke run's are small enough for a busy machine. */
const LOAD = SMOKE
  ? {
      QUERY_VUS: 2,
      INGEST_VUS: 5,
      SUBSCRIBERS: 10,
      FANOUT: 2,
      RATE: 50,
      ACTION_DEVICES: 3,
      ACTION_RATE: 5,
      MQTT_VUS: 3,
      MQTT_WINDOW: 4,
    }
  : {
      QUERY_VUS: 4,
      INGEST_VUS: 50,
      SUBSCRIBERS: 100,
      FANOUT: 1,
      RATE: 1000,
      ACTION_DEVICES: 10,
      ACTION_RATE: 50,
      MQTT_VUS: 20,
      MQTT_WINDOW: 16,
    };
const SEED = SMOKE
  ? { things: 150, historyThings: 2, perThing: 1000 }
  : { things: 1000, historyThings: 10, perThing: 2000 };
const DEVICES = Math.max(
  LOAD.INGEST_VUS,
  Math.ceil(LOAD.SUBSCRIBERS / LOAD.FANOUT),
  LOAD.MQTT_VUS,
  LOAD.ACTION_DEVICES,
);

const k6 = findK6();
if (!k6) throw new Error("k6 not found in .tools/bin: run `npm run setup` (or `bash scripts/setup.sh k6`)");
const out = args.out ?? (await mkdtemp(join(tmpdir(), "spokes-load-")));
await mkdir(out, { recursive: true });
const say = (line: string) => process.stderr.write(`load: ${line}\n`);

const rows: Row[] = [];
const startedAt = new Date().toISOString();
const host = machine();
const versions: Record<string, string> = {};
const cleanups: (() => Promise<void>)[] = [];
let readModels = args.pglite ? "PGlite (embedded)" : "a Postgres server";

type Target = { name: string; vars: Record<string, string> };

/** Runs one scenario file against each target; returns the summaries by target name. */
async function scenario(runtime: Runtime, file: string, targets: Target[], common: Record<string, string>) {
  const results: Record<string, { summary?: K6Summary; errors: number; code: number | null }> = {};
  for (const t of targets) {
    const tag = `${runtime}-${file.replace(".k6.ts", "")}-${t.name}`;
    say(`${tag}: running for ${SECONDS} s`);
    const vars = { DURATION: `${SECONDS}s`, ...(SMOKE ? { SMOKE: "1" } : {}), ...common, ...t.vars };
    const run = await runK6(k6 as string, file, vars, join(out, `${tag}.json`), (SECONDS + 120) * 1000);
    await writeFile(join(out, `${tag}.log`), run.output);
    const errors = k6Errors(run.summary);
    // Exit 99: a threshold failed (an error threshold, or in a full run a goal); anything else non-zero: k6 failed.
    if (run.code !== 0 && run.code !== 99) say(`${tag}: k6 exited ${run.code}; see ${join(out, `${tag}.log`)}`);
    say(`${tag}: errors ${errors}, exit ${run.code}`);
    results[t.name] = {
      ...(run.summary ? { summary: run.summary } : {}),
      errors: run.code === 0 || run.code === 99 ? errors : Number.NaN,
      code: run.code,
    };
  }
  return results;
}

const perSecond = (count: number | undefined) => (count === undefined ? undefined : count / SECONDS);

async function runOn(
  runtime: Runtime,
  shared: { pgUrl?: string; baseNats: string; mosquitto?: { tcpPort: number; wsPort: number } },
) {
  const dataDir = await mkdtemp(join(tmpdir(), `spokes-load-${runtime}-`));
  const [httpPort, natsPort, mqttPort, mqttWsPort, coapPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const env: Record<string, string> = {
    SPOKES_DATA_DIR: dataDir,
    SPOKES_HTTP_PORT: String(httpPort),
    SPOKES_EMBEDDED_NATS_PORT: String(natsPort),
    SPOKES_MQTT_PORT: String(mqttPort),
    SPOKES_MQTT_WS_PORT: String(mqttWsPort),
    SPOKES_COAP_PORT: String(coapPort),
    SPOKES_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SPOKES_LOG_LEVEL: "warn",
    SPOKES_GRAPHIQL: "false",
    SPOKES_DISCOVERY: "false",
    ...(shared.pgUrl && !args.pglite ? { SPOKES_POSTGRES_URL: await freshDatabaseUrl(shared.pgUrl) } : {}),
  };
  say(`${runtime}: starting the hub`);
  const hub = await spawnUntil(runtime, ["start"], env, /Spokes ready/, 180_000);
  const base = `http://127.0.0.1:${httpPort}`;
  const children: Child[] = [];
  const log = await JetStreamEventLog.open({
    servers: `nats://127.0.0.1:${natsPort}`,
    settings: loadConfig({}),
    ensure: false,
  });
  try {
    versions[runtime] = readState(dataDir)?.runtime ?? runtime;
    // Baselines on the same runtime as the hub.
    const bare = await startListening(scriptCommand(runtime, join(ROOT, "load-tests", "baselines", "bare-http.ts")));
    children.push(bare);
    const jsBase = await startListening([
      ...scriptCommand(runtime, join(ROOT, "load-tests", "baselines", "http-jetstream.ts")),
      "--nats",
      shared.baseNats,
    ]);
    children.push(jsBase);
    const bareUrl = `http://127.0.0.1:${bare.port}`;

    say(`${runtime}: seeding ${SEED.things} Things and ${SEED.historyThings * SEED.perThing} history values`);
    const seeded = await seedThings(log, SEED);
    await caughtUp(base);

    // What the hub serves today.
    const { httpDevices, longPoll, mqttTcp, mqttWs } = await deviceEndpoints(base, mqttPort, mqttWsPort);
    const provisioned = await provisionDevices(log, dataDir, DEVICES);
    const devices: Device[] = "devices" in provisioned ? provisioned.devices : anonymousDevices(DEVICES);
    const noDevices = "missing" in provisioned ? provisioned.missing : undefined;
    say(
      `${runtime}: device HTTP ${httpDevices}, long-poll ${longPoll}, MQTT ${mqttTcp}/${mqttWs}, devices ${noDevices ?? "provisioned"}`,
    );

    const dataFile = join(out, `${runtime}-data.json`);
    await writeFile(
      dataFile,
      JSON.stringify({ adminPassword: ADMIN_PASSWORD, things: seeded.things, history: seeded.history, devices }),
    );
    const anonFile = join(out, `${runtime}-data-anonymous.json`);
    await writeFile(
      anonFile,
      JSON.stringify({
        adminPassword: ADMIN_PASSWORD,
        things: seeded.things,
        history: seeded.history,
        devices: anonymousDevices(DEVICES),
      }),
    );
    const common = { DATA_FILE: dataFile, ...Object.fromEntries(Object.entries(LOAD).map(([k, v]) => [k, String(v)])) };
    const hubTarget = { name: "hub", vars: { TARGET: "hub", BASE_URL: base } };
    const bareTarget = { name: "bare", vars: { TARGET: "baseline", BASE_URL: bareUrl, DATA_FILE: anonFile } };

    const add = (scenario: string, measure: string, unit: string, f: Figure) =>
      rows.push(figureRow({ runtime, scenario, measure, unit }, f, SMOKE));
    const hubOnly = { name: "hub", vars: hubTarget.vars };

    if (wanted("graphql-queries")) {
      const r = await scenario(runtime, "graphql-queries.k6.ts", [hubOnly, bareTarget], common);
      const perThing = Math.round(SEED.perThing / 10);
      for (const [sc, label, goal] of [
        ["things_list", `things(first: 100) of ${(SEED.things + DEVICES).toLocaleString("en-US")} Things`, 10],
        ["history_range", `history: 50 of the ~${perThing} values in a time range`, 25],
      ] as const) {
        const metric = `http_req_duration{scenario:${sc}}`;
        const measured = { errors: r.hub?.errors, ceilingErrors: r.bare?.errors, failed: !r.hub?.summary };
        add("graphql-queries", `${label}, ${LOAD.QUERY_VUS} VUs: p99`, "ms", {
          ...measured,
          value: metricValue(r.hub?.summary, metric, "p(99)"),
          ceiling: { name: "bare HTTP", value: metricValue(r.bare?.summary, metric, "p(99)") },
          lowerIsBetter: true,
          goal: `p99 ≤ ${goal} ms`,
          met: (v) => v <= goal,
        });
        add("graphql-queries", `${label}: requests/s`, "req/s", {
          ...measured,
          value: perSecond(metricValue(r.hub?.summary, metric, "count")),
          ceiling: { name: "bare HTTP", value: perSecond(metricValue(r.bare?.summary, metric, "count")) },
        });
      }
    }

    let ingested: { events: number; runStart: number; caughtUpAt: number } | undefined;
    if (wanted("http-ingest")) {
      const jsUrl = `http://127.0.0.1:${jsBase.port}`;
      const jsTarget = { name: "jetstream", vars: { TARGET: "baseline", BASE_URL: jsUrl, DATA_FILE: anonFile } };
      const missing = noDevices ?? (httpDevices ? undefined : "the hub serves no device HTTP endpoint");
      const t0 = Date.now();
      const hubRun = missing ? {} : await scenario(runtime, "http-ingest.k6.ts", [hubOnly], common);
      const count = metricValue(hubRun.hub?.summary, "events_stored", "count");
      // The history projection's pace while ingesting: from the start of the hub's run until it caught up, before the
      // baselines run (their minutes would otherwise count as the projection's).
      if (count && shared.pgUrl && !args.pglite) {
        ingested = { events: count, runStart: t0, caughtUpAt: await caughtUp(base, 300_000) };
      }
      const r = { ...hubRun, ...(await scenario(runtime, "http-ingest.k6.ts", [bareTarget, jsTarget], common)) };
      const bare = perSecond(metricValue(r.bare?.summary, "events_stored", "count"));
      const raw = perSecond(metricValue(r.jetstream?.summary, "events_stored", "count"));
      const measure = `events/s stored, ${LOAD.INGEST_VUS} devices posting`;
      add("http-ingest", measure, "events/s", {
        missing,
        value: perSecond(count),
        ceiling: { name: "bare HTTP 204", value: bare },
        goal: "≥ 10,000/s and ≥ 0.5 × bare",
        met: (v, ratio) => v >= 10_000 && (ratio ?? 0) >= 0.5,
        errors: r.hub?.errors,
        ceilingErrors: r.bare?.errors,
        failed: !missing && !r.hub?.summary,
      });
      add("http-ingest", measure, "events/s", {
        missing,
        value: perSecond(count),
        ceiling: { name: "bare HTTP → raw js.publish", value: raw },
        errors: r.hub?.errors,
        ceilingErrors: r.jetstream?.errors,
        failed: !missing && !r.hub?.summary,
      });
    }

    if (ingested && shared.pgUrl) {
      const rows = Math.max(20_000, Math.min(ingested.events, 200_000));
      add("http-ingest → history", "events/s into Postgres, ingest start → lag 0", "rows/s", {
        value: ingested.events / ((ingested.caughtUpAt - ingested.runStart) / 1000),
        ceiling: { name: "Postgres COPY", value: await measureCopy(await freshDatabaseUrl(shared.pgUrl), rows) },
        note: "bounded by the ingest rate",
      });
    }

    if (wanted("graphql-subscriptions")) {
      const missing = noDevices ?? (httpDevices ? undefined : "the hub serves no device HTTP endpoint");
      const targets = missing ? [bareTarget] : [hubOnly, bareTarget];
      const r = await scenario(runtime, "graphql-subscriptions.k6.ts", targets, common);
      const sent = metricValue(r.hub?.summary, "events_published", "count") ?? 0;
      const got = metricValue(r.hub?.summary, "notifications", "count") ?? 0;
      const rate = Math.round(sent / SECONDS);
      const shape = `${LOAD.SUBSCRIBERS} subscribers, fan-out ${LOAD.FANOUT}, ${rate} events/s (asked ${LOAD.RATE})`;
      add("graphql-subscriptions", `device publish → subscriber p99, ${shape}`, "ms", {
        value: metricValue(r.hub?.summary, "subscription_latency", "p(99)"),
        ceiling: { name: "bare relay", value: metricValue(r.bare?.summary, "subscription_latency", "p(99)") },
        lowerIsBetter: true,
        goal: "p99 ≤ 25 ms at 1,000 events/s",
        met: (v) => v <= 25 && rate >= 950,
        missing,
        errors: r.hub?.errors,
        ceilingErrors: r.bare?.errors,
        failed: !missing && !r.hub?.summary,
      });
      add("graphql-subscriptions", "notifications received / expected", "notifications", {
        missing,
        value: got,
        ceiling: { name: "expected", value: sent * LOAD.FANOUT },
        goal: "all",
        met: (v) => v === sent * LOAD.FANOUT,
        judgeInSmoke: true,
        errors: Math.abs(sent * LOAD.FANOUT - got),
        failed: !missing && !r.hub?.summary,
      });
    }

    let actionCeiling: number | undefined;
    if (wanted("action-round-trip")) {
      const missing = noDevices ?? (longPoll ? undefined : "the hub serves no device long-poll for actions");
      const targets = missing ? [bareTarget] : [hubOnly, bareTarget];
      const r = await scenario(runtime, "action-round-trip.k6.ts", targets, common);
      actionCeiling = metricValue(r.bare?.summary, "action_round_trip", "p(99)");
      const completed = metricValue(r.hub?.summary, "actions_completed", "count") ?? 0;
      add("action-round-trip", `invoke → long-poll → completed p99, ${LOAD.ACTION_RATE}/s, ${completed} done`, "ms", {
        missing,
        value: metricValue(r.hub?.summary, "action_round_trip", "p(99)"),
        ceiling: { name: "bare relay", value: metricValue(r.bare?.summary, "action_round_trip", "p(99)") },
        lowerIsBetter: true,
        goal: "p99 ≤ 30 ms",
        met: (v) => v <= 30,
        errors: r.hub?.errors,
        ceilingErrors: r.bare?.errors,
        failed: !missing && !r.hub?.summary,
      });
    }

    if (wanted("action-round-trip-mqtt")) {
      const missing = noDevices ?? (mqttWs ? undefined : "the hub's MQTT WebSocket port is not open");
      const hubMqtt = {
        name: "hub",
        vars: { TARGET: "hub", BASE_URL: base, MQTT_WS_URL: `ws://127.0.0.1:${mqttWsPort}` },
      };
      const r = missing ? {} : await scenario(runtime, "action-round-trip-mqtt.k6.ts", [hubMqtt], common);
      const completed = metricValue(r.hub?.summary, "actions_completed", "count") ?? 0;
      add(
        "action-round-trip-mqtt",
        `invoke → MQTT device → completed p99, ${LOAD.ACTION_RATE}/s, ${completed} done`,
        "ms",
        {
          missing,
          value: metricValue(r.hub?.summary, "action_round_trip", "p(99)"),
          ceiling: { name: "bare relay, HTTP long-poll", value: actionCeiling },
          lowerIsBetter: true,
          goal: "p99 ≤ 30 ms",
          met: (v) => v <= 30,
          errors: r.hub?.errors,
          failed: !missing && !r.hub?.summary,
        },
      );
    }

    const shape = `QoS 1 events/s acknowledged, ${LOAD.MQTT_VUS} devices × ${LOAD.MQTT_WINDOW} in flight`;
    if (wanted("mqtt-ingest") && shared.mosquitto) {
      const missing = noDevices ?? (mqttWs ? undefined : "the hub's MQTT WebSocket port is not open");
      const mosqUrl = `ws://127.0.0.1:${shared.mosquitto.wsPort}`;
      const mosq = { name: "mosquitto", vars: { TARGET: "baseline", MQTT_WS_URL: mosqUrl, DATA_FILE: anonFile } };
      const hubMqtt = { name: "hub", vars: { TARGET: "hub", MQTT_WS_URL: `ws://127.0.0.1:${mqttWsPort}` } };
      const r = await scenario(runtime, "mqtt-ingest.k6.ts", missing ? [mosq] : [hubMqtt, mosq], common);
      add("mqtt-ingest (k6, WebSocket)", shape, "events/s", {
        missing,
        value: perSecond(metricValue(r.hub?.summary, "mqtt_events_acked", "count")),
        ceiling: {
          name: "mosquitto",
          value: perSecond(metricValue(r.mosquitto?.summary, "mqtt_events_acked", "count")),
        },
        goal: "≥ 0.5 × mosquitto",
        met: (_, ratio) => (ratio ?? 0) >= 0.5,
        errors: r.hub?.errors,
        ceilingErrors: r.mosquitto?.errors,
        failed: !missing && !r.hub?.summary,
      });
    }

    if (wanted("mqtt-driver") && shared.mosquitto) {
      const missing = noDevices ?? (mqttTcp ? undefined : "the hub's MQTT port is not open");
      say(`${runtime}-mqtt-driver: running for ${SECONDS} s`);
      const shapeOf = { devices: LOAD.MQTT_VUS, window: LOAD.MQTT_WINDOW, seconds: SECONDS };
      const brokerUrl = `mqtt://127.0.0.1:${shared.mosquitto.tcpPort}`;
      const mosqRun = await mqttDriver(runtime, { url: brokerUrl, dataFile: anonFile, anonymous: true, ...shapeOf });
      const hubUrl = `mqtt://127.0.0.1:${mqttPort}`;
      const hubDriven = missing
        ? undefined
        : await mqttDriver(runtime, { url: hubUrl, dataFile, anonymous: false, ...shapeOf });
      for (const r of [mosqRun, hubDriven]) if (r && !r.result) say(`mqtt-driver failed: ${r.stderr.slice(0, 500)}`);
      const mosq = mosqRun.result;
      const hubRun = hubDriven?.result;
      add("mqtt-ingest (Node driver, TCP)", shape, "events/s", {
        missing,
        value: hubRun?.rate,
        ceiling: { name: "mosquitto", value: mosq?.rate },
        goal: "≥ 0.5 × mosquitto",
        met: (_, ratio) => (ratio ?? 0) >= 0.5,
        errors: hubRun ? hubRun.errors + hubRun.unacked : undefined,
        ceilingErrors: mosq ? mosq.errors + mosq.unacked : Number.NaN,
        failed: !missing && !hubRun,
      });
    }
  } finally {
    for (const c of children) await c.stop();
    await log.close();
    await writeFile(join(out, `${runtime}-hub.log`), hub.output());
    hub.child.kill("SIGINT");
    const exited = await Promise.race([
      hub.exited.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 20_000)),
    ]);
    if (!exited) await stopAllStarted();
    await rm(dataDir, { recursive: true, force: true });
  }
}

let failure: unknown;
try {
  const [pg, baseNats, mosquitto] = await Promise.all([
    startTestPostgres().catch((err: unknown) => {
      say(`no Postgres server (${String(err)}): the hub runs on PGlite and COPY is not measured`);
      return undefined;
    }),
    startTestNats(),
    startMosquitto().catch((err: unknown) => {
      say(`no mosquitto (${String(err)}): the MQTT ceilings are not measured`);
      return undefined;
    }),
  ]);
  if (pg) cleanups.push(() => pg.stop());
  else readModels = "PGlite (embedded)";
  cleanups.push(() => baseNats.stop());
  if (mosquitto) cleanups.push(() => mosquitto.stop());
  for (const runtime of RUNTIMES) {
    try {
      await runOn(runtime, {
        ...(pg ? { pgUrl: pg.url } : {}),
        baseNats: baseNats.url,
        ...(mosquitto ? { mosquitto } : {}),
      });
    } catch (err) {
      say(`${runtime}: the run failed: ${String(err)}`);
      rows.push({
        runtime,
        scenario: "(all)",
        measure: "run",
        unit: "",
        status: "failed",
        note: String(err).split("\n")[0] ?? "",
      });
    }
  }
} catch (err) {
  failure = err;
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => {});
}

host.loadAfter = (await import("node:os")).loadavg().map((l) => Number(l.toFixed(2)));
const head = {
  readModels,
  date: startedAt,
  commit: commit(ROOT),
  machine: host,
  runtimes: versions,
  smoke: SMOKE,
  seconds: SECONDS,
};
const table = markdown(rows, head);
const summary = { ...head, load: LOAD, seed: SEED, out, rows };
await writeFile(join(out, "summary.json"), JSON.stringify(summary, null, 2));
await writeFile(join(out, "summary.md"), table);
if (args.json) await writeFile(args.json, JSON.stringify(summary, null, 2));
if (args.record) await appendFile(join(ROOT, "docs", "benchmarks.md"), `\n${table}`);
process.stdout.write(`\n${table}\nJSON summary and k6 logs: ${out}\n`);
if (failure) throw failure;
