/**
 * DNS-SD announcement of the hub over multicast DNS (bonjour-service): a WoT Thing Directory (`_wot._tcp`, TXT
 * `td=/.well-known/wot`, `type=Directory`, as W3C WoT Discovery describes), GraphQL (`_http._tcp`, `path=/graphql`),
 * MQTT (`_mqtt._tcp`) and CoAP (`_coap._udp`); the provisioning path rides in the TXT records. An administrator can
 * switch it on and off while the hub runs; switching off sends goodbye packets so browsers drop the hub at once.
 */
import { Bonjour, type Service } from "bonjour-service";
import type { Logger } from "../../core/log.ts";

const ANNOUNCE_WAIT_MS = 3000;
const GOODBYE_DELAY_MS = 100;

export type AnnouncedPorts = { http: number; mqtt?: number; coap?: number };

export type DiscoveryOptions = {
  /** Instance name shown by browsers, e.g. `Spokes on kitchen-pi`. */
  name: string;
  ports: () => AnnouncedPorts;
  logger: Logger;
  /** Restrict multicast to one interface address (multicast-dns `interface`). */
  interfaceAddress?: string;
};

/** The service records the hub announces (pure, for tests and docs). */
export function announcedServices(instance: string, ports: AnnouncedPorts) {
  // bonjour-service does not escape dots in instance names, and a dot would split the name: use a dash instead.
  const name = instance.replaceAll(".", "-");
  const txt = {
    td: "/.well-known/wot",
    type: "Directory",
    graphql: "/graphql",
    provisioning: "/provisioning/requests",
  };
  return [
    { name, type: "wot", protocol: "tcp" as const, port: ports.http, txt },
    { name: `${name} GraphQL`, type: "http", protocol: "tcp" as const, port: ports.http, txt: { path: "/graphql" } },
    ...(ports.mqtt ? [{ name: `${name} MQTT`, type: "mqtt", protocol: "tcp" as const, port: ports.mqtt, txt }] : []),
    ...(ports.coap ? [{ name: `${name} CoAP`, type: "coap", protocol: "udp" as const, port: ports.coap, txt }] : []),
  ];
}

export class DnsSdAnnouncer {
  private readonly o: DiscoveryOptions;
  private bonjour: Bonjour | undefined;
  private services: Service[] = [];
  private switching: Promise<void> = Promise.resolve();

  constructor(o: DiscoveryOptions) {
    this.o = o;
  }

  get enabled(): boolean {
    return this.bonjour !== undefined;
  }

  /** Starts or stops announcing; calls are applied in order. Resolves once done (stopping: goodbyes sent). */
  setEnabled(on: boolean): Promise<void> {
    this.switching = this.switching.catch(() => {}).then(() => (on ? this.start() : this.stop()));
    return this.switching;
  }

  private async start(): Promise<void> {
    if (this.bonjour) return;
    const logger = this.o.logger;
    const bonjour = new Bonjour(
      (this.o.interfaceAddress ? { interface: this.o.interfaceAddress } : {}) as never,
      (err: unknown) => logger.warn("DNS-SD announcement failed", { err }),
    );
    this.bonjour = bonjour;
    const sent: Promise<void>[] = [];
    for (const s of announcedServices(this.o.name, this.o.ports())) {
      const service = bonjour.publish({ ...s, probe: false });
      service.on("error", (err: unknown) => logger.warn("DNS-SD service failed", { service: s.type, err }));
      this.services.push(service);
      sent.push(new Promise((resolve) => service.once("up", () => resolve()).once("error", () => resolve())));
    }
    // Resolve once the first announcements are out, so a goodbye sent right after cannot overtake them (on Deno it
    // would: the browser then sees the hub appear after it left). Bounded, for a network that never sends.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all(sent), new Promise((r) => (timer = setTimeout(r, ANNOUNCE_WAIT_MS)))]);
    clearTimeout(timer);
    logger.info("announcing the hub over DNS-SD", { name: this.o.name });
  }

  private async stop(): Promise<void> {
    const bonjour = this.bonjour;
    if (!bonjour) return;
    this.bonjour = undefined;
    // bonjour-service re-announces on a timer, and an announcement still being sent re-activates its service after
    // the goodbye; marking the services destroyed first stops both, so a stopped hub stays gone.
    for (const service of this.services) service.destroyed = true;
    // Stop answering queries, and let answers already on their way go out before the goodbye: Deno does not keep
    // UDP sends in order, and an answer overtaking the goodbye would show the hub again.
    const server = (bonjour as unknown as { server?: { unregister(records: unknown[]): void } }).server;
    server?.unregister(this.services.flatMap((service) => service.records()));
    this.services = [];
    await new Promise((r) => setTimeout(r, GOODBYE_DELAY_MS));
    await new Promise<void>((resolve) => bonjour.unpublishAll(() => resolve()));
    await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
    this.o.logger.info("stopped announcing the hub over DNS-SD");
  }

  close(): Promise<void> {
    return this.setEnabled(false);
  }
}
