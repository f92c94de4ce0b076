/** The CLI side of the admin service: ask the running hub, over NATS, for status or a replay. */
import { createInbox, type NatsConnection } from "@nats-io/nats-core";
import { UnavailableError, ValidationError } from "../../core/errors.ts";
import { ADMIN_REPLAY, ADMIN_STATUS, adminReply, type ReplayMessage, replayMessage } from "./admin.ts";

type Reply<T> = { ok: true } & T;

async function ask<T>(nc: NatsConnection, subject: string, body: unknown, timeout: number): Promise<Reply<T>> {
  let raw: unknown;
  try {
    raw = (await nc.request(subject, JSON.stringify(body ?? {}), { timeout })).json();
  } catch (cause) {
    throw new UnavailableError("no hub answered on NATS; is `spokes start` running?", { cause });
  }
  const reply = adminReply.safeParse(raw);
  if (!reply.success) throw new UnavailableError("the hub sent a reply this command cannot read");
  if (!reply.data.ok) throw new ValidationError(reply.data.message ?? "the hub refused the request");
  return reply.data as Reply<T>;
}

export async function hubStatus<T>(nc: NatsConnection): Promise<T> {
  return (await ask<{ status: T }>(nc, ADMIN_STATUS, {}, 3000)).status;
}

/** Asks the hub to replay a projection; calls `onMessage` for each progress message and resolves with the last. */
export async function hubReplay(
  nc: NatsConnection,
  req: { projection: string; from?: number | string },
  onMessage: (m: ReplayMessage) => void,
  silenceMs = 120_000,
): Promise<ReplayMessage> {
  const progress = createInbox();
  const sub = nc.subscribe(progress);
  try {
    await ask(nc, ADMIN_REPLAY, { ...req, progress }, 5000);
    const messages = sub[Symbol.asyncIterator]();
    for (;;) {
      const next = await Promise.race([
        messages.next(),
        new Promise<"silent">((r) => setTimeout(() => r("silent"), silenceMs).unref?.()),
      ]);
      if (next === "silent") throw new UnavailableError(`the hub sent no progress for ${silenceMs / 1000} s`);
      if (next.done) throw new UnavailableError("the connection to the hub closed during the replay");
      let m: ReplayMessage;
      try {
        m = replayMessage.parse(next.value.json());
      } catch (cause) {
        throw new UnavailableError("the hub sent a replay message this command cannot read", { cause });
      }
      onMessage(m);
      if (m.type !== "progress") return m;
    }
  } finally {
    sub.unsubscribe();
  }
}
