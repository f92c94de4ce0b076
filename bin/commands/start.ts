import { maskUrls } from "../../core/log.ts";
import type { Command } from "../lib/command.ts";
import { startHub } from "../lib/hub.ts";

export const start: Command = {
  name: "start",
  summary: "run the whole hub in this process",
  usage: "start",
  help: [
    "Starts every worker in one process. Without SPOKES_NATS_URL it runs its own nats-server with JetStream,",
    "keeping data in SPOKES_DATA_DIR (default ./data). Ctrl-C stops everything, child processes included.",
    "Configuration is environment variables; see docs/reference/config.md.",
  ].join("\n"),
  async run({ config, logger, print }) {
    const hub = await startHub(config, logger, print);
    const { nats, devices } = hub.state;
    const deviceEndpoints = [
      devices?.mqtt ? `MQTT ${config.SPOKES_MQTT_HOST}:${devices.mqtt}` : "",
      devices?.coap ? `CoAP/LwM2M udp ${config.SPOKES_COAP_HOST}:${devices.coap}` : "",
    ].filter(Boolean);
    print(
      `Spokes ready: GraphQL ${hub.state.http.url}, ${deviceEndpoints.map((e) => `${e}, `).join("")}` +
        `NATS ${maskUrls(nats.url)} ` +
        `(nats-server ${nats.version}${nats.embedded ? ", embedded" : ""}), ` +
        `data ${config.SPOKES_DATA_DIR}, ${hub.state.runtime}. Ctrl-C stops.`,
    );
    const reason = await new Promise<string>((resolve) => {
      // `on`, not `once`: Ctrl-C can arrive twice (from the terminal and from the launcher that forwards it), and a
      // second signal must not kill the process in the middle of a clean stop.
      const onSignal = (signal: string) => () => resolve(signal);
      process.on("SIGINT", onSignal("SIGINT"));
      process.on("SIGTERM", onSignal("SIGTERM"));
      void hub.stopped.then(resolve);
    });
    const failed = !reason.startsWith("SIG");
    if (failed) logger.error(`stopping: ${reason}`);
    else logger.info(`stopping on ${reason}`);
    await hub.stop();
    print("Spokes stopped.");
    return failed ? 1 : 0;
  },
};
