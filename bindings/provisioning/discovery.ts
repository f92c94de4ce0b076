/**
 * DNS-SD announcement of the hub over multicast DNS (bonjour-service): a WoT Thing Directory (`_wot._tcp`, TXT
 * `td=/.well-known/wot`, `type=Directory`, as W3C WoT Discovery describes), GraphQL (`_http._tcp`, `path=/graphql`),
 * MQTT (`_mqtt._tcp`) and CoAP (`_coap._udp`); the provisioning path rides in the TXT records. An administrator can
 * switch it on and off while the hub runs; switching off sends goodbye packets so browsers drop the hub at once.
 */
import { Bonjour } from "bonjour-service";
import type { Logger } from "../../core/log.ts";

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
export function announcedServices(name: string, ports: AnnouncedPorts) {
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
  private switching: Promise<void> = Promise.resolve();

  constructor(o: DiscoveryOptions) {
    this.o = o;
  }

  get enabled(): boolean {
    return this.bonjour !== undefined;
  }

  /** Starts or stops announcing; calls are applied in order. Resolves once done (stopping: goodbyes sent). */
  setEnabled(on: boolean): Promise<void> {
    this.switching = this.switching.then(() => (on ? this.start() : this.stop()));
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
    for (const s of announcedServices(this.o.name, this.o.ports())) {
      const service = bonjour.publish({ ...s, probe: false });
      service.on("error", (err: unknown) => logger.warn("DNS-SD service failed", { service: s.type, err }));
    }
    logger.info("announcing the hub over DNS-SD", { name: this.o.name });
  }

  private async stop(): Promise<void> {
    const bonjour = this.bonjour;
    if (!bonjour) return;
    this.bonjour = undefined;
    await new Promise<void>((resolve) => bonjour.unpublishAll(() => resolve()));
    await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
    this.o.logger.info("stopped announcing the hub over DNS-SD");
  }

  close(): Promise<void> {
    return this.setEnabled(false);
  }
}
