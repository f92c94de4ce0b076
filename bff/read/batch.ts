/**
 * Per-request batching: the resolvers of a list (a Thing's TD, latest values, groups, presence) ask for one key
 * each; the keys asked for in the same turn of the event loop go to the database in one query. Nothing is cached
 * past that query, so a long-lived context (a subscription) never serves stale rows.
 */

type Pending<K, V> = { keys: K[]; waiters: Map<K, { resolve(v: V | undefined): void; reject(e: unknown): void }[]> };

const batchers = new WeakMap<object, Map<string, (key: unknown) => Promise<unknown>>>();

/**
 * The batching loader `name` of `scope` (the GraphQL context), created on first use. `load` gets distinct keys and
 * returns the values it found; keys it leaves out resolve to undefined.
 */
export function batchedLoader<K, V>(
  scope: object,
  name: string,
  load: (keys: K[]) => Promise<Map<K, V>>,
): (key: K) => Promise<V | undefined> {
  let byName = batchers.get(scope);
  if (!byName) {
    byName = new Map();
    batchers.set(scope, byName);
  }
  const existing = byName.get(name);
  if (existing) return existing as (key: K) => Promise<V | undefined>;
  let pending: Pending<K, V> | undefined;
  const flush = () => {
    const batch = pending as Pending<K, V>;
    pending = undefined;
    load(batch.keys).then(
      (found) => {
        for (const [key, waiters] of batch.waiters) for (const w of waiters) w.resolve(found.get(key));
      },
      (err: unknown) => {
        for (const waiters of batch.waiters.values()) for (const w of waiters) w.reject(err);
      },
    );
  };
  const loader = (key: K) =>
    new Promise<V | undefined>((resolve, reject) => {
      if (!pending) {
        pending = { keys: [], waiters: new Map() };
        // After the current turn: graphql resolves a list's items synchronously, so they all join one batch.
        setImmediate(flush);
      }
      const waiters = pending.waiters.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else {
        pending.keys.push(key);
        pending.waiters.set(key, [{ resolve, reject }]);
      }
    });
  byName.set(name, loader as (key: unknown) => Promise<unknown>);
  return loader;
}
