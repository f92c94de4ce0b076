/**
 * What a Thing shows beyond its directory row: its TD, latest values, groups and its device's presence. Each is
 * loaded for every Thing of a page at once (see batch.ts), so a list costs one query per field, not per Thing.
 */
import { asc, inArray } from "drizzle-orm";
import { accessGroupThings } from "../../projections/access/tables.ts";
import { directoryThings } from "../../projections/directory/tables.ts";
import { type PresenceRecord, presenceOf } from "../../projections/presence/queries.ts";
import { twinValues } from "../../projections/twin/tables.ts";
import type { Context } from "../context.ts";
import { batchedLoader } from "./batch.ts";

export type LatestValueRow = typeof twinValues.$inferSelect;

function grouped<K, R>(rows: R[], key: (r: R) => K): Map<K, R[]> {
  const out = new Map<K, R[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** The device that owns a Thing, from the TD's CloudEvents source `devices/{device}`; undefined otherwise. */
export function owningDevice(source: string): string | undefined {
  return source.startsWith("devices/") && source.length > "devices/".length
    ? source.slice("devices/".length)
    : undefined;
}

export const tdOf = (ctx: Context, thing: string): Promise<unknown> =>
  batchedLoader(ctx, "td", async (things: string[]) => {
    const rows = await ctx.services.db
      .select({ thing: directoryThings.thing, td: directoryThings.td })
      .from(directoryThings)
      .where(inArray(directoryThings.thing, things));
    return new Map(rows.map((r) => [r.thing, r.td]));
  })(thing);

export const latestValuesOf = async (ctx: Context, thing: string): Promise<LatestValueRow[]> =>
  (await batchedLoader(ctx, "latestValues", async (things: string[]) =>
    grouped(
      await ctx.services.db
        .select()
        .from(twinValues)
        .where(inArray(twinValues.thing, things))
        .orderBy(asc(twinValues.thing), asc(twinValues.kind), asc(twinValues.name)),
      (r) => r.thing,
    ),
  )(thing)) ?? [];

export const groupsOf = async (ctx: Context, thing: string): Promise<string[]> =>
  (await batchedLoader(ctx, "groups", async (things: string[]) => {
    const rows = await ctx.services.db
      .select({ thing: accessGroupThings.thing, group: accessGroupThings.group })
      .from(accessGroupThings)
      .where(inArray(accessGroupThings.thing, things))
      .orderBy(asc(accessGroupThings.group));
    const out = new Map<string, string[]>();
    for (const [thing, list] of grouped(rows, (r) => r.thing))
      out.set(
        thing,
        list.map((r) => r.group),
      );
    return out;
  })(thing)) ?? [];

export const presenceOfDevice = (ctx: Context, device: string): Promise<PresenceRecord | undefined> =>
  batchedLoader(ctx, "presence", async (devices: string[]) => {
    const rows = await presenceOf(ctx.services.db, devices);
    return new Map(rows.map((r) => [r.device, r]));
  })(device);
