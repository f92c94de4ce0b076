import { resolve } from "node:path";
import { maskUrls } from "../../core/log.ts";
import type { ProjectionStatus } from "../../projections/status.ts";
import { hubStatus } from "../lib/admin-client.ts";
import type { Command } from "../lib/command.ts";
import { bytes, duration, table } from "../lib/format.ts";
import { connectToHub } from "../lib/hub.ts";
import { readLiveState } from "../lib/state.ts";

export const status: Command = {
  name: "status",
  summary: "show what runs, where, and the size of each stream",
  usage: "status [--json]",
  options: { json: { type: "boolean" } },
  async run({ config, values, print }) {
    const state = readLiveState(resolve(config.SPOKES_DATA_DIR));
    if (!state && !config.SPOKES_NATS_URL) {
      print(`hub: not running (data folder ${config.SPOKES_DATA_DIR}); start it with \`npm start\``);
      return 3;
    }
    const log = await connectToHub(config, "spokes-status");
    try {
      const streams = await log.stats();
      const projections = await hubStatus<ProjectionStatus[]>(log.nc).catch(() => undefined);
      if (values.json) {
        const hub = state && { ...state, nats: { ...state.nats, url: maskUrls(state.nats.url) } };
        print(
          JSON.stringify(
            { projections: projections ?? null, hub: hub ?? null, nats: { version: log.features.version }, streams },
            null,
            2,
          ),
        );
        return 0;
      }
      if (state) {
        const up = duration(Date.now() - Date.parse(state.startedAt));
        print(`hub      running, pid ${state.pid}, up ${up}, ${state.runtime}, data ${config.SPOKES_DATA_DIR}`);
        print(`workers  ${state.workers.join(", ")}`);
        print(`graphql  ${state.http.url}`);
        if (state.devices?.mqtt) print(`mqtt     ${config.SPOKES_MQTT_HOST}:${state.devices.mqtt}`);
        if (state.devices?.coap) print(`coap     udp ${config.SPOKES_COAP_HOST}:${state.devices.coap}`);
      } else print("hub      no local hub process; showing the streams at SPOKES_NATS_URL");
      const where = state?.nats.embedded ? `embedded, pid ${state.nats.pid}` : "external";
      print(
        `nats     ${maskUrls(state?.nats.url ?? config.SPOKES_NATS_URL ?? "")} (nats-server ${log.features.version}, ${where})`,
      );
      print("");
      const rows = streams.map((s) => [s.stream, s.messages, bytes(s.bytes), s.firstSeq, s.lastSeq]);
      if (rows.length === 0) print("streams  none yet: no hub has run against this server");
      else print(table([["stream", "messages", "bytes", "first", "last"], ...rows]));
      print("");
      if (!projections) print("projections: no hub answered (they run inside `spokes start`)");
      else {
        const prow = projections.map((p) => [p.name, p.stream, p.checkpoint, p.lag, p.poison]);
        print(table([["projection", "stream", "checkpoint", "lag", "poison"], ...prow]));
      }
      return 0;
    } finally {
      await log.close();
    }
  },
};
