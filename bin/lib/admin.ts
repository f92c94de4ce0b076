/**
 * The hub's admin service on NATS request-reply: `spokes status` asks it for projection lag, and `spokes replay`
 * asks it to rebuild a read model inside the process that owns the database (embedded PGlite has one connection).
 * Requests are parsed with zod; progress goes to a subject the caller names.
 */
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { z } from "zod";
import { SpokesError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";

export const ADMIN_STATUS = "spokes.admin.status";
export const ADMIN_REPLAY = "spokes.admin.replay";

export const replayRequest = z.object({
  projection: z.string().min(1).max(64),
  from: z.union([z.number().int().positive(), z.iso.datetime({ offset: true })]).optional(),
  /** Where progress and the final outcome are published. */
  progress: z.string().regex(/^[A-Za-z0-9_.-]+$/),
});
export type ReplayRequest = z.infer<typeof replayRequest>;

/** What the caller receives on its progress subject. */
export const replayMessage = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("progress"),
    done: z.number(),
    total: z.number(),
    eventsPerSecond: z.number(),
    etaSeconds: z.number(),
  }),
  z.object({
    type: z.literal("done"),
    events: z.number(),
    poison: z.number(),
    ms: z.number(),
    fromSeq: z.number(),
    toSeq: z.number(),
  }),
  z.object({ type: z.literal("error"), message: z.string() }),
]);
export type ReplayMessage = z.infer<typeof replayMessage>;

/** The immediate answer to an admin request. */
export const adminReply = z.looseObject({ ok: z.boolean(), message: z.string().optional() });

export type AdminHandlers = {
  status(): Promise<unknown>;
  replay(req: ReplayRequest, progress: (m: ReplayMessage) => void): Promise<ReplayMessage>;
};

const enc = new TextEncoder();
const json = (v: unknown) => enc.encode(JSON.stringify(v));

/** Expected errors keep their message; anything else is masked and logged with an id. */
function publicMessage(err: unknown, logger: Logger): string {
  if (err instanceof SpokesError) return err.message;
  const id = crypto.randomUUID();
  logger.error("admin request failed", { id, err });
  return `internal error (logged as ${id})`;
}

export function serveAdmin(nc: NatsConnection, handlers: AdminHandlers, logger: Logger): () => void {
  const subs: Subscription[] = [];
  subs.push(
    nc.subscribe(ADMIN_STATUS, {
      callback: (_err, msg) => {
        handlers.status().then(
          (status) => msg.respond(json({ ok: true, status })),
          (err: unknown) => msg.respond(json({ ok: false, message: publicMessage(err, logger) })),
        );
      },
    }),
  );
  let replaying = false;
  subs.push(
    nc.subscribe(ADMIN_REPLAY, {
      callback: (_err, msg) => {
        let parsed: unknown;
        try {
          parsed = msg.json();
        } catch {
          parsed = undefined;
        }
        const req = replayRequest.safeParse(parsed);
        if (!req.success) return void msg.respond(json({ ok: false, message: z.prettifyError(req.error) }));
        if (replaying) return void msg.respond(json({ ok: false, message: "a replay is already running" }));
        replaying = true;
        msg.respond(json({ ok: true }));
        const send = (m: ReplayMessage) => nc.publish(req.data.progress, json(m));
        void handlers
          .replay(req.data, send)
          .catch((err: unknown): ReplayMessage => ({ type: "error", message: publicMessage(err, logger) }))
          .then(send)
          .catch((err: unknown) => logger.warn("could not report the end of a replay", { err }))
          .finally(() => {
            replaying = false;
          });
      },
    }),
  );
  return () => {
    for (const s of subs) s.unsubscribe();
  };
}
