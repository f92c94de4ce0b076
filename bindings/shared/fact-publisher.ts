/**
 * Stores what devices publish, after checking that the device may publish for the Thing. A TD for a Thing nobody
 * holds claims it with a conditional append (the Thing's TD subject must not have moved since this process last
 * saw it), so two devices racing for one Thing id cannot both win. While a claim is in flight, later messages for
 * that Thing wait for it, so a device may send its TD and its first events back to back.
 *
 * Order: when no claim is in flight, the check is synchronous and the append is sent (or queued in the pipeline)
 * before `publish` returns, so messages are stored in the order `publish` was called.
 */
import { ConflictError, ForbiddenError } from "../../core/errors.ts";
import type { AppendLimits, EventLog } from "../../core/event-log.ts";
import { AppendPipeline } from "./append-pipeline.ts";
import { type DeviceFact, factRequest } from "./device-facts.ts";
import type { ThingOwnership } from "./ownership.ts";

export class FactPublisher {
  private readonly log: EventLog;
  private readonly ownership: ThingOwnership;
  private readonly claiming = new Map<string, Promise<unknown>>();
  private readonly values: AppendPipeline;

  constructor(log: EventLog, ownership: ThingOwnership, limits?: AppendLimits) {
    this.log = log;
    this.ownership = ownership;
    this.values = new AppendPipeline(log, limits ? { limits } : {});
  }

  /**
   * Resolves once JetStream stored the fact; rejects with ForbiddenError, ValidationError or UnavailableError.
   * Event and property values go through the append pipeline; TDs are appended one by one. `time` is the
   * device's own time of the fact, when its protocol carries one. `acknowledged: false` sends an event or property
   * value without waiting for JetStream's acknowledgement (see AppendPipeline); the promise then resolves once the
   * server has read it.
   */
  publish(
    device: string,
    fact: DeviceFact,
    data: unknown,
    time?: Date,
    o: { acknowledged?: boolean } = {},
  ): Promise<unknown> {
    const pending = this.claiming.get(fact.thing);
    if (pending) {
      const again = () => this.publish(device, fact, data, time, o);
      return pending.then(again, again);
    }
    const check = this.ownership.check(device, fact.thing);
    if (check === "other") return Promise.reject(forbidden(fact.thing));
    const req = factRequest(device, fact, data, time);
    if (check === "owner") {
      if (fact.kind === "td") return this.log.append(req);
      try {
        return this.values.append(req, o);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    if (fact.kind !== "td") {
      return Promise.reject(new ForbiddenError(`publish the TD of "${fact.thing}" first: it claims the Thing`));
    }
    const claim = this.log
      .append({ ...req, expectedLastSubjectSeq: this.ownership.tdSeq(fact.thing) })
      .then(
        (r) => {
          this.ownership.recordOwn({ subject: req.subject, source: req.source ?? "", seq: r.seq });
          return r;
        },
        async (err: unknown) => {
          if (!(err instanceof ConflictError)) throw err;
          // Someone described the Thing since this process last looked; once the watch shows who, decide again.
          await new Promise((r) => setTimeout(r, 200));
          if (this.ownership.check(device, fact.thing) === "owner") return this.log.append(req);
          throw forbidden(fact.thing);
        },
      )
      .finally(() => this.claiming.delete(fact.thing));
    this.claiming.set(fact.thing, claim);
    return claim;
  }
}

function forbidden(thing: string): ForbiddenError {
  return new ForbiddenError(`"${thing.slice(0, 120)}" belongs to another device`);
}
