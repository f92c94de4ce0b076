/**
 * The read models' contract, run against every database the hub supports (Postgres server and PGlite): the same
 * events in, the same rows and answers out. Batches go through `processBatch`, as the runner sends them.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoggedEvent } from "../core/event-log.ts";
import { subjects } from "../core/subjects.ts";
import { access } from "./access/projection.ts";
import { groupsOfThing, groupsOfUser, mayUser } from "./access/queries.ts";
import { readCheckpoint } from "./checkpoints.ts";
import { type Database, rowsOf } from "./db/database.ts";
import { migrate } from "./db/migrate.ts";
import { directory } from "./directory/projection.ts";
import { findThings } from "./directory/queries.ts";
import { event, logged } from "./fixtures.ts";
import { actionHistory } from "./history/actions-projection.ts";
import { dropHistoryBefore, historyDays } from "./history/partitions.ts";
import { history } from "./history/projection.ts";
import { processBatch } from "./process-batch.ts";
import { provisioning } from "./provisioning/projection.ts";
import { activeCredentials, deviceOf, pendingRequests } from "./provisioning/queries.ts";
import { poisonOf } from "./status.ts";
import { twin } from "./twin/projection.ts";
import { latestValue } from "./twin/queries.ts";

export function readModelContract(kind: string, open: () => Promise<Database>): void {
  describe(`read models on ${kind}`, () => {
    let database: Database;
    beforeAll(async () => {
      database = await open();
      await migrate(database);
      await migrate(database); // a second start applies nothing and fails nothing
    });
    afterAll(async () => {
      await database?.close();
    });
    const count = async (table: string) =>
      Number((await rowsOf<{ n: number }>(database.db, sql.raw(`select count(*)::int as n from ${table}`)))[0]?.n);

    it("history: Given a batch delivered twice, When processed, Then each event is one row and the checkpoint is its last seq", async () => {
      const batch = [1, 2, 3].map((i) => logged(i, subjects.property("m", "p"), "spokes.PropertyReported", { i }));
      const first = await processBatch(database.db, history, batch);
      const again = await processBatch(database.db, history, [...batch].reverse());
      expect([first.applied, again.applied, again.skipped]).toEqual([3, 0, 3]);
      expect(await count("history_values")).toBe(3);
      expect(await readCheckpoint(database.db, "history")).toBe(3);
      const rows = await rowsOf<{ data: unknown }>(database.db, sql`select data from history_values order by seq`);
      expect(rows.map((r) => r.data)).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }]);
    });

    it("history: Given a value Postgres refuses and an unknown type, When processed, Then both are poison and the rest applied", async () => {
      const batch = [
        logged(4, subjects.event("m", "e"), "spokes.EventEmitted", 4),
        logged(5, subjects.event("m", "e"), "spokes.EventEmitted", { s: "a\u0000b" }),
        logged(6, subjects.event("m", "e"), "spokes.Obsolete", 6),
        logged(7, subjects.event("m", "e"), "spokes.EventEmitted", 7),
      ];
      expect(await processBatch(database.db, history, batch)).toMatchObject({ applied: 2, poison: 2, checkpoint: 7 });
      expect((await poisonOf(database.db, "history")).map((p) => p.seq)).toEqual([5, 6]);
      expect(await count("history_values")).toBe(5);
    });

    it("history: Given rows on three days, When retention cuts at the third, Then two partitions go and writes go on", async () => {
      const at = (seq: number, day: string) =>
        logged(seq, subjects.event("r", "e"), "spokes.EventEmitted", seq, `${day}T12:00:00.000Z`);
      await processBatch(database.db, history, [at(101, "2026-10-01"), at(102, "2026-10-02"), at(103, "2026-10-03")]);
      expect(await historyDays(database.db)).toEqual(
        expect.arrayContaining(["2026-10-01", "2026-10-02", "2026-10-03"]),
      );
      const dropped = await dropHistoryBefore(database.db, new Date("2026-10-03T00:00:00.000Z"));
      expect(dropped).toEqual(["2026-10-01", "2026-10-02"]);
      const left = await rowsOf<{ seq: number }>(database.db, sql`select seq from history_values where seq > 100`);
      expect(left.map((r) => Number(r.seq))).toEqual([103]);
      await processBatch(database.db, history, [at(104, "2026-10-03")]);
      expect(await count("history_values_p20261003")).toBe(2);
    });

    it("directory: Given TD versions, a removal and a late old version, Then the newest TD shows and queries find it", async () => {
      const td = (id: string, title: string, extra = {}) => ({ id, title, ...extra });
      await processBatch(database.db, directory, [
        logged(1, subjects.thingTd("lamp"), "spokes.ThingDescribed", td("lamp", "Lamp", { "@type": "Light" })),
        logged(2, subjects.thingTd("fan"), "spokes.ThingDescribed", td("fan", "Fan", { description: "Ceiling 50%" })),
        logged(3, subjects.thingTd("lamp"), "spokes.ThingDescribed", td("lamp", "Kitchen lamp", { "@type": "Light" })),
        logged(4, subjects.thingTd("old"), "spokes.ThingDescribed", td("old", "Old")),
        logged(5, subjects.thingRemoved("old"), "spokes.ThingRemoved", {}),
      ]);
      // An older TD that reaches the table late (out of order) does not replace the newer one.
      const stale = event(1, subjects.thingTd("lamp"), "spokes.ThingDescribed", td("lamp", "Stale"));
      await directory.project(database.db, [stale]);
      const all = await findThings(database.db);
      expect(all.map((r) => [r.thing, r.title, r.version])).toEqual([
        ["fan", "Fan", 2],
        ["lamp", "Kitchen lamp", 3],
      ]);
      expect((await findThings(database.db, { type: "Light" })).map((r) => r.thing)).toEqual(["lamp"]);
      expect((await findThings(database.db, { text: "kitchen" })).map((r) => r.thing)).toEqual(["lamp"]);
      expect((await findThings(database.db, { text: "50%" })).map((r) => r.thing)).toEqual(["fan"]);
      expect((await findThings(database.db, { text: "%" })).map((r) => r.thing)).toEqual(["fan"]);
    });

    it("twin: Given values across batches, one arriving late with an older time, Then the latest by time stays", async () => {
      const p = (seq: number, v: number, time: string) =>
        logged(seq, subjects.property("s", "t"), "spokes.PropertyReported", v, time);
      await processBatch(database.db, twin, [p(10, 20, "2026-11-01T10:00:00.000Z")]);
      await processBatch(database.db, twin, [p(11, 15, "2026-11-01T09:00:00.000Z")]);
      expect((await latestValue(database.db, "s", "t"))?.value).toBe(20);
      await processBatch(database.db, twin, [p(12, 22, "2026-11-01T11:00:00.000Z")]);
      expect(await latestValue(database.db, "s", "t")).toMatchObject({ value: 22, seq: 12 });
    });

    it("access: Given users, groups, roles and Things, Then groups and permissions follow", async () => {
      const g = (group: string, seq: number, type: string, data: unknown) =>
        logged(seq, subjects.group(group), type, data);
      const events: LoggedEvent[] = [
        logged(1, subjects.user("alice"), "spokes.UserAdded", { displayName: "Alice" }),
        logged(2, subjects.user("bob"), "spokes.UserAdded", {}),
        g("kitchen", 3, "spokes.GroupCreated", { title: "Kitchen" }),
        g("kitchen", 4, "spokes.MemberAdded", { user: "alice", role: "viewer" }),
        g("kitchen", 5, "spokes.MemberAdded", { user: "bob", role: "operator" }),
        g("kitchen", 6, "spokes.ThingAddedToGroup", { thing: "lamp" }),
        g("ops", 7, "spokes.GroupCreated", {}),
        g("ops", 8, "spokes.MemberAdded", { user: "alice", role: "manager" }),
        g("ops", 9, "spokes.ThingAddedToGroup", { thing: "lamp" }),
        g("kitchen", 10, "spokes.MemberAdded", { user: "bob", role: "viewer" }),
      ];
      await processBatch(database.db, access, events.slice(0, 6));
      await processBatch(database.db, access, events); // redelivery of the first six plus the rest
      expect(await groupsOfUser(database.db, "alice")).toEqual([
        { group: "kitchen", role: "viewer" },
        { group: "ops", role: "manager" },
      ]);
      expect(await groupsOfThing(database.db, "lamp")).toEqual(["kitchen", "ops"]);
      // The directory (filled by the directory case above) answers by group through the access tables.
      expect((await findThings(database.db, { group: "ops" })).map((r) => r.thing)).toEqual(["lamp"]);
      expect(await findThings(database.db, { group: "nobody" })).toEqual([]);
      expect(await mayUser(database.db, "alice", "writeProperty", "lamp")).toBe(true);
      expect(await mayUser(database.db, "bob", "invoke", "lamp")).toBe(false);
      expect(await mayUser(database.db, "bob", "read", "lamp")).toBe(true);
      expect(await mayUser(database.db, "carol", "read", "lamp")).toBe(false);
      await processBatch(database.db, access, [
        g("ops", 11, "spokes.GroupDeleted", {}),
        logged(12, subjects.user("bob"), "spokes.UserRemoved", {}),
      ]);
      expect(await mayUser(database.db, "alice", "writeProperty", "lamp")).toBe(false);
      expect(await groupsOfThing(database.db, "lamp")).toEqual(["kitchen"]);
      expect(await count("access_members")).toBe(1);
    });

    it("action history: Given a request and its steps across batches, one late, Then the action shows its last state", async () => {
      const thing = { thing: "lamp", name: "toggle" };
      const req = logged(1, subjects.actionRequest("lamp", "toggle"), "spokes.ActionRequested", {
        actionId: "a1",
        input: 1,
      });
      const step = (seq: number, state: "queued" | "delivered" | "completed", type: string, data: object = {}) =>
        logged(seq, subjects.actionState("a1", state), type, { ...thing, ...data });
      await processBatch(database.db, actionHistory, [step(2, "queued", "spokes.ActionQueued")]);
      await processBatch(database.db, actionHistory, [
        step(3, "delivered", "spokes.ActionDelivered", { via: "mqtt" }),
        step(4, "completed", "spokes.ActionCompleted", { output: { ok: true } }),
      ]);
      // The request reaches the table after its steps (out of order): it fills in the input, not the state.
      await actionHistory.project(database.db, [event(1, req.subject, req.type, req.data)]);
      const [a] = await rowsOf<Record<string, unknown>>(database.db, sql`select * from history_actions`);
      expect(a).toMatchObject({ action_id: "a1", state: "completed", input: 1, output: { ok: true } });
      expect(await count("history_action_steps")).toBe(4);
    });

    it("provisioning: Given a request, approval, credentials and a revocation, Then status and hashes follow", async () => {
      const d = (seq: number, decision: "requested" | "approved" | "issued" | "revoked", data: object = {}) =>
        logged(seq, subjects.provisioning("gw", decision), "spokes.ProvisioningDecided", data);
      await processBatch(database.db, provisioning, [d(1, "requested", { publicKey: "pk1" })]);
      expect((await pendingRequests(database.db)).map((r) => r.device)).toEqual(["gw"]);
      await processBatch(database.db, provisioning, [
        d(2, "approved", { by: "root" }),
        d(3, "issued", { credentialHash: "h" }),
      ]);
      expect(await deviceOf(database.db, "gw")).toMatchObject({ status: "active", publicKey: "pk1" });
      expect(await pendingRequests(database.db)).toEqual([]);
      expect((await activeCredentials(database.db, "gw")).map((c) => c.credentialHash)).toEqual(["h"]);
      await processBatch(database.db, provisioning, [d(4, "revoked")]);
      expect(await deviceOf(database.db, "gw")).toMatchObject({ status: "revoked" });
      expect(await activeCredentials(database.db, "gw")).toEqual([]);
    });
  });
}
