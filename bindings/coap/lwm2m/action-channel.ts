/**
 * Actions for LwM2M Things: `writeproperty:{name}` becomes a Write of the resource, `readproperty:{name}` a Read
 * (the value is reported and is the action's output), any other action an Execute.
 * The channel is attached to the dispatcher while the client is reachable (registered, and awake in queue mode);
 * the client's answer is both the delivery and the reply.
 */
import { SpokesError } from "../../../core/errors.ts";
import type { ActionChannel, ActionReply, PendingAction } from "../../actions/dispatcher.ts";
import type { ObjectRegistry } from "../objects/index.ts";
import type { DeviceManagement } from "./device-management.ts";
import { DeviceSilentError } from "./device-requests.ts";
import { resourceValuesOf } from "./json-values.ts";
import { parseThingId, resourceOfAffordance } from "./thing-mapping.ts";

const WRITE = "writeproperty:";
const READ = "readproperty:";

/** The LwM2M operation an action stands for, or undefined when it names no resource of an LwM2M Thing. */
export function operationOf(
  a: Pick<PendingAction, "thing" | "name" | "input">,
  registry: ObjectRegistry,
): { kind: "write" | "read" | "execute"; endpoint: string; path: string } | undefined {
  const t = parseThingId(a.thing);
  if (!t) return undefined;
  const kind = a.name.startsWith(WRITE) ? "write" : a.name.startsWith(READ) ? "read" : "execute";
  const name = kind === "write" ? a.name.slice(WRITE.length) : kind === "read" ? a.name.slice(READ.length) : a.name;
  const resourceId = resourceOfAffordance(registry, t.objectId, name);
  if (resourceId === undefined) return undefined;
  return {
    kind,
    endpoint: t.endpoint,
    path: `/${t.objectId}/${t.instanceId}/${resourceId}`,
  };
}

export class Lwm2mActionChannel implements ActionChannel {
  readonly via = "lwm2m";
  readonly #endpoint: string;
  readonly #management: DeviceManagement;
  readonly #registry: ObjectRegistry;
  readonly #reply: (reply: ActionReply) => void;

  constructor(o: {
    endpoint: string;
    management: DeviceManagement;
    registry: ObjectRegistry;
    reply: (reply: ActionReply) => void;
  }) {
    this.#endpoint = o.endpoint;
    this.#management = o.management;
    this.#registry = o.registry;
    this.#reply = o.reply;
  }

  accepts(action: PendingAction): boolean {
    return operationOf(action, this.#registry)?.endpoint === this.#endpoint;
  }

  /** Sends the actions one by one; stops at the first the client did not answer. */
  async deliver(actions: readonly PendingAction[]): Promise<number> {
    const replies: ActionReply[] = [];
    for (const action of actions) {
      const op = operationOf(action, this.#registry);
      if (!op) break;
      let reply: ActionReply;
      try {
        let output: unknown;
        if (op.kind === "write") await this.#management.writeValue(op.endpoint, op.path, action.input);
        else if (op.kind === "read") {
          // The read also reports the value as the property's value; the action's output is that value.
          const { node } = await this.#management.read(op.endpoint, op.path);
          output = resourceValuesOf(node).values().next().value;
        } else {
          const args = typeof action.input === "string" ? action.input : undefined;
          await this.#management.execute(op.endpoint, op.path, args);
        }
        reply = { actionId: action.actionId, status: "completed", ...(output === undefined ? {} : { output }) };
      } catch (err) {
        if (!(err instanceof SpokesError) || err instanceof DeviceSilentError) break;
        reply = { actionId: action.actionId, status: "failed", error: err.message };
      }
      replies.push(reply);
    }
    // The dispatcher records Delivered for each once this returns; the replies must follow, not precede, it.
    setTimeout(() => {
      for (const r of replies) this.#reply(r);
    }, 0);
    return replies.length;
  }
}
