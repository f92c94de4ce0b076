/**
 * Where LwM2M gateway mappings live: a small JetStream stream of its own, `LWM2M_GATEWAY`, one subject per gateway
 * endpoint (`lwm2m-gateway.{endpoint}.mapping`), the newest message being the mapping in force and the 64 before it
 * its history. Like a KV bucket, but with no extra client library. A change is a fact in JetStream like any other:
 * every gateway worker watches its subject and applies a new mapping at once, with no restart, and a restarted
 * worker reads the last one back.
 */
import { DeliverPolicy, JetStreamApiError } from "@nats-io/jetstream";
import { z } from "zod";
import { UnavailableError } from "./errors.ts";
import { encodeToken } from "./ids.ts";
import type { JetStreamEventLog } from "./jetstream-event-log.ts";
import { type GatewayMapping, parseGatewayMapping } from "./lwm2m-gateway-mapping.ts";

export const GATEWAY_MAPPINGS_STREAM = "LWM2M_GATEWAY";
const STREAM_NOT_FOUND = 10059;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const gatewayMappingSubject = (endpoint: string): string => `lwm2m-gateway.${encodeToken(endpoint)}.mapping`;

/** A mapping as stored: the document, who changed it and when, and its stream sequence (a revision number). */
export type StoredGatewayMapping = { mapping: GatewayMapping; changedAt: string; changedBy: string; revision: number };

const stored = z.object({ mapping: z.unknown(), changedAt: z.string(), changedBy: z.string() });

function decode(data: Uint8Array, seq: number): StoredGatewayMapping {
  const parsed = stored.parse(JSON.parse(decoder.decode(data)));
  return { ...parsed, mapping: parseGatewayMapping(parsed.mapping), revision: seq };
}

export class JetStreamGatewayMappings {
  private readonly log: JetStreamEventLog;

  private constructor(log: JetStreamEventLog) {
    this.log = log;
  }

  /** Creates the stream when missing (safe to repeat). */
  static async open(log: JetStreamEventLog): Promise<JetStreamGatewayMappings> {
    const config = {
      name: GATEWAY_MAPPINGS_STREAM,
      subjects: ["lwm2m-gateway.*.mapping"],
      max_msgs_per_subject: 65,
      allow_direct: true,
    };
    const exists = await log.jsm.streams.info(GATEWAY_MAPPINGS_STREAM).then(
      () => true,
      (err: unknown) => {
        if (err instanceof JetStreamApiError && err.code === STREAM_NOT_FOUND) return false;
        throw new UnavailableError("cannot reach the LwM2M gateway mappings", { cause: err });
      },
    );
    if (!exists) await log.jsm.streams.add(config);
    return new JetStreamGatewayMappings(log);
  }

  /** The mapping in force for a gateway endpoint, or undefined when none was ever set. */
  async get(endpoint: string): Promise<StoredGatewayMapping | undefined> {
    const m = await this.log.jsm.direct
      .getMessage(GATEWAY_MAPPINGS_STREAM, { last_by_subj: gatewayMappingSubject(endpoint) })
      .catch((err: unknown) => {
        if (err instanceof JetStreamApiError && err.code === 10037) return null;
        if (err instanceof Error && /no message found/i.test(err.message)) return null;
        throw err;
      });
    return m ? decode(m.data, m.seq) : undefined;
  }

  /** Validates and stores a new mapping; it applies as soon as the gateway sees it. */
  async set(endpoint: string, mapping: unknown, changedBy: string): Promise<StoredGatewayMapping> {
    const checked = parseGatewayMapping(mapping);
    const doc = { mapping: checked, changedAt: new Date().toISOString(), changedBy };
    const ack = await this.log.js.publish(gatewayMappingSubject(endpoint), encoder.encode(JSON.stringify(doc)));
    return { ...doc, revision: ack.seq };
  }

  /** The current mapping (if any), then each change, until `signal` aborts. Bad stored entries are skipped. */
  async *watch(endpoint: string, signal: AbortSignal): AsyncIterable<StoredGatewayMapping> {
    const filter_subjects = [gatewayMappingSubject(endpoint)];
    const open = async (after: number | undefined) => {
      const consumer = await this.log.js.consumers.get(GATEWAY_MAPPINGS_STREAM, {
        filter_subjects,
        ...(after === undefined
          ? { deliver_policy: DeliverPolicy.LastPerSubject }
          : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: after + 1 }),
      });
      return consumer.consume({ max_messages: 16 });
    };
    for await (const m of this.log.follow(open, signal)) {
      try {
        yield decode(m.data, m.seq);
      } catch {
        // A document written by hand that no longer parses is ignored; the previous mapping stays in force.
      }
    }
  }
}
