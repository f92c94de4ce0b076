/**
 * Action requests (invoking an action, writing a property): access check, the input checked against the TD's
 * data schema, one append to ACTIONS, then optionally waiting for the action to be delivered or completed.
 */
import { eq } from "drizzle-orm";
import { propertyReadName, propertyWriteName } from "../../core/action-names.ts";
import { type ForbiddenError, NotFoundError, ValidationError } from "../../core/errors.ts";
import { subjects } from "../../core/subjects.ts";
import type { DataSchema } from "../../core/td.ts";
import { directoryThings } from "../../projections/directory/tables.ts";
import { checkThing } from "../access.ts";
import type { Caller, Context } from "../context.ts";
import { checkValue } from "../data-schema.ts";
import { type ActionStep, type AwaitedState, waitForAction } from "../live/action-states.ts";

export { propertyWriteName };

export type Operation = "invokeaction" | "writeproperty";
/** What a stored request may stand for: the operations above, or a device asked to report a property (LwM2M gateway). */
export type RecordedOperation = Operation | "readproperty";

const WRITE_PREFIX = propertyWriteName("");
const READ_PREFIX = propertyReadName("");

/**
 * What a stored request asks for: its `op` when it has one, else what its name says (`writeproperty:{property}`
 * is a property write, `readproperty:{property}` a property read). `affordance` is the action's or the property's
 * name in the TD.
 */
export function operationOf(
  name: string,
  op?: RecordedOperation | null,
): { operation: RecordedOperation; affordance: string } {
  if (op === "readproperty" || (op == null && name.startsWith(READ_PREFIX))) {
    return {
      operation: "readproperty",
      affordance: name.startsWith(READ_PREFIX) ? name.slice(READ_PREFIX.length) : name,
    };
  }
  const write = op === "writeproperty" || (op == null && name.startsWith(WRITE_PREFIX));
  if (!write) return { operation: "invokeaction", affordance: name };
  return {
    operation: "writeproperty",
    affordance: name.startsWith(WRITE_PREFIX) ? name.slice(WRITE_PREFIX.length) : name,
  };
}

export type WaitFor = "stored" | AwaitedState;

export type ActionRequest = {
  thing: string;
  /** The action's or the property's name in the TD. */
  name: string;
  operation: Operation;
  /** The action's input or the property's new value. */
  value: unknown;
  ttlSeconds?: number | null;
  waitFor: WaitFor;
  timeoutMs: number;
};

/** The request as stored, and the state it had reached when the mutation returned. */
export type Invocation = {
  actionId: string;
  thing: string;
  name: string;
  operation: Operation;
  seq: number;
  state: ActionStep["state"];
  output?: unknown;
  error?: string;
  timedOut: boolean;
};

type Affordances = { actions?: Record<string, { input?: DataSchema }>; properties?: Record<string, DataSchema> };

async function affordancesOf(ctx: Context, thing: string): Promise<Affordances> {
  const [row] = await ctx.services.db
    .select({ td: directoryThings.td })
    .from(directoryThings)
    .where(eq(directoryThings.thing, thing));
  return (row?.td ?? {}) as Affordances;
}

/** The schema the value must meet, or the reason the request cannot be made. */
function schemaFor(td: Affordances, r: ActionRequest): DataSchema | NotFoundError | ValidationError {
  if (r.operation === "invokeaction") {
    const action = Object.hasOwn(td.actions ?? {}, r.name) ? td.actions?.[r.name] : undefined;
    if (!action) return new NotFoundError(`"${r.thing}" has no action "${r.name}"`);
    // No input schema: the action takes no declared input, and whatever is sent is passed on unchecked.
    return action.input ?? {};
  }
  const property = Object.hasOwn(td.properties ?? {}, r.name) ? td.properties?.[r.name] : undefined;
  if (!property) return new NotFoundError(`"${r.thing}" has no property "${r.name}"`);
  if (property.readOnly) {
    return new ValidationError(`"${r.name}" is read-only`, [{ path: "name", message: "the property is read-only" }]);
  }
  return property;
}

export async function requestAction(
  ctx: Context,
  caller: Caller,
  r: ActionRequest,
): Promise<Invocation | NotFoundError | ForbiddenError | ValidationError> {
  const denied = await checkThing(ctx, caller, r.operation === "invokeaction" ? "invoke" : "writeProperty", r.thing);
  if (denied) return denied;
  const schema = schemaFor(await affordancesOf(ctx, r.thing), r);
  if (schema instanceof Error) return schema;
  const field = r.operation === "invokeaction" ? "input" : "value";
  if (r.value !== undefined || schema.type !== undefined) {
    const issues = checkValue(schema, r.value, field);
    if (issues.length) {
      const first = issues[0];
      return new ValidationError(`invalid ${field}: ${first?.path}: ${first?.message}`, issues);
    }
  }
  const actionId = crypto.randomUUID();
  const name = r.operation === "invokeaction" ? r.name : propertyWriteName(r.name);
  const appended = await ctx.services.log.append({
    subject: subjects.actionRequest(r.thing, name),
    type: "spokes.ActionRequested",
    data: {
      actionId,
      ...(r.value === undefined ? {} : { input: r.value }),
      ...(r.ttlSeconds ? { ttlMs: r.ttlSeconds * 1000 } : {}),
      requestedBy: caller.user,
      op: r.operation,
    },
    source: `bff/${caller.user}`,
  });
  const stored: Invocation = {
    actionId,
    thing: r.thing,
    name: r.name,
    operation: r.operation,
    seq: appended.seq,
    state: "requested",
    timedOut: false,
  };
  if (r.waitFor === "stored") return stored;
  const { step, timedOut } = await waitForAction(ctx.services.log, actionId, appended.seq, r.waitFor, r.timeoutMs);
  return { ...stored, ...(step && { state: step.state, output: step.output, error: step.error }), timedOut };
}
