/**
 * The BFF server: graphql-yoga over node:http (queries, mutations, subscriptions over SSE) plus graphql-ws over
 * WebSocket on the same path. Callers authenticate with `Authorization: Bearer <accessToken>` (HTTP) or the
 * `authorization` connection parameter (WebSocket).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { useServer } from "graphql-ws/use/ws";
import { createGraphQLError, createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import { WebSocketServer } from "ws";
import type { EventLog } from "../core/event-log.ts";
import type { Logger } from "../core/log.ts";
import type { Db } from "../projections/db/database.ts";
import { DEFAULT_ACCESS_TTL_MS } from "./auth/access-tokens.ts";
import { JetStreamRefreshTokenStore } from "./auth/jetstream-refresh-token-store.ts";
import { loadOrCreateSigningKeys } from "./auth/keys.ts";
import { DEFAULT_REFRESH_TTL_MS, type RefreshTokenStore } from "./auth/refresh-tokens.ts";
import { cachedTokenVerifier } from "./auth/verified-tokens.ts";
import { bodyLimit } from "./body-limit.ts";
import { CallerCache } from "./caller-cache.ts";
import {
  bearerToken,
  type Caller,
  type Context,
  type DiscoveryControl,
  resolveCaller,
  type Services,
} from "./context.ts";
import { queryLimits } from "./limits.ts";
import { LiveFeeds } from "./live/live-feed.ts";
import { maskError } from "./mask-error.ts";
import { schema } from "./schema/schema.ts";

export type BffOptions = {
  db: Db;
  /** The event log; its JetStream handles also hold the refresh-token stream unless `refreshTokens` is given. */
  log: EventLog & { js: JetStreamClient; jsm: JetStreamManager };
  /** Where the token-signing key is kept (created on first start). */
  dataDir: string;
  logger: Logger;
  /** GraphiQL at the endpoint. Default false. */
  development?: boolean;
  /** Origins allowed to call from browsers; none (no CORS headers) when absent. `["*"]` allows any. */
  corsOrigins?: string[];
  accessTtlMs?: number;
  refreshTtlMs?: number;
  maxDepth?: number;
  maxFields?: number;
  refreshTokens?: RefreshTokenStore;
  /** Prometheus text served at `/metrics` when given. */
  metrics?: () => Promise<string>;
  /**
   * Other HTTP endpoints served on the same port (device endpoints, provisioning, `/.well-known/wot`), tried in
   * order before GraphQL: a handler that takes the request returns true and answers it.
   */
  routes?: HttpRoute[];
  /** The hub's DNS-SD announcement, switched by administrators through `setDiscovery`. */
  discovery?: DiscoveryControl;
};

/** A node:http handler for the paths it knows; returns false (without touching `res`) for anything else. */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

export type Bff = {
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  services: Services;
  /** Listens on `port` (0: any free port); resolves to the bound port. */
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
};

type Initial = { request?: Request; caller?: Caller | undefined; preset?: true };

function unauthenticated(): Error {
  return createGraphQLError("the access token is invalid or expired; refresh or log in again", {
    extensions: { code: "UNAUTHENTICATED", http: { status: 401 } },
  });
}

export async function createBff(o: BffOptions): Promise<Bff> {
  const refreshTtlMs = o.refreshTtlMs ?? DEFAULT_REFRESH_TTL_MS;
  const keys = await loadOrCreateSigningKeys(o.dataDir);
  const feeds = new LiveFeeds(o.log);
  const services: Services = {
    db: o.db,
    log: o.log,
    feeds,
    callers: new CallerCache(feeds),
    logger: o.logger,
    keys,
    verifyToken: cachedTokenVerifier(keys),
    refreshTokens: o.refreshTokens ?? (await JetStreamRefreshTokenStore.open(o.log, refreshTtlMs)),
    accessTtlMs: o.accessTtlMs ?? DEFAULT_ACCESS_TTL_MS,
    refreshTtlMs,
    ...(o.discovery ? { discovery: o.discovery } : {}),
  };
  const limits = queryLimits(o.maxDepth ?? 10, o.maxFields ?? 300);
  const limitPlugin: Plugin = { onValidate: ({ addValidationRule }) => addValidationRule(limits) };
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphiql: o.development ? { subscriptionsProtocol: "WS" } : false,
    landingPage: false,
    cors: o.corsOrigins?.length ? { origin: o.corsOrigins, credentials: true } : false,
    logging: false,
    maskedErrors: { maskError: (error) => maskError(error, o.logger) },
    maxRequestBodySize: false,
    plugins: [limitPlugin, bodyLimit()],
    context: async (initial: Initial): Promise<Context> => {
      if (initial.preset) return { services, caller: initial.caller };
      const check = await resolveCaller(services, bearerToken(initial.request?.headers.get("authorization")));
      if (!check.ok) throw unauthenticated();
      return { services, caller: check.caller };
    },
  });

  const server: Server = createServer((req, res) => {
    if (o.metrics && req.method === "GET" && req.url === "/metrics") {
      o.metrics().then(
        (text) => res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(text),
        (err: unknown) => {
          o.logger.warn("metrics failed", { err });
          res.writeHead(503).end();
        },
      );
      return;
    }
    if (o.routes) for (const route of o.routes) if (route(req, res)) return;
    void yoga(req, res);
  });
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  // The ws server re-emits the HTTP server's errors (e.g. the port is taken); `listen` already reports those.
  wss.on("error", () => {});
  const callers = new WeakMap<object, Caller | undefined>();
  const ws = useServer<Record<string, unknown>, { caller?: Caller }>(
    {
      onConnect: async (ctx) => {
        const header =
          ctx.connectionParams?.authorization ?? (ctx.extra.request as IncomingMessage).headers.authorization;
        const check = await resolveCaller(services, bearerToken(header));
        if (!check.ok) return false;
        callers.set(ctx.extra.socket, check.caller);
        return true;
      },
      execute: (args) => (args.rootValue as { execute: (a: unknown) => unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe: (a: unknown) => unknown }).subscribe(args) as never,
      onSubscribe: async (ctx, _id, params) => {
        const enveloped = yoga.getEnveloped({ preset: true, caller: callers.get(ctx.extra.socket) });
        const document = enveloped.parse(params.query);
        const args = {
          schema: enveloped.schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        const errors = enveloped.validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
    },
    wss,
  );

  return {
    yoga,
    services,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    async close() {
      await ws.dispose();
      services.callers.close();
      services.feeds.close();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections();
      if (server.listening) await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
