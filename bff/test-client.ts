/** A small GraphQL client for the BFF's tests: HTTP via fetch, WebSocket via graphql-ws with `ws`. */
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";

export type GqlResponse = {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read responses by shape
  data?: Record<string, any>;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
};

export async function gql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GqlResponse> {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as object) };
}

export function wsClient(url: string, token?: string): Client {
  return createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

/**
 * The first `n` results of a subscription (fewer if it ends), then unsubscribes. `during` runs once the
 * subscription is under way; its failure fails the call. GraphQL errors reject with their messages joined.
 */
export async function take<T>(
  url: string,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown>,
  n: number,
  during?: () => Promise<unknown>,
): Promise<T[]> {
  const client = wsClient(url, token);
  const out: T[] = [];
  try {
    const results = client.iterate<Record<string, T>>({ query, variables });
    const side = during?.();
    for await (const r of results) {
      if (r.errors) throw new Error(r.errors.map((e) => e.message).join("; "));
      out.push(Object.values(r.data ?? {})[0] as T);
      if (out.length === n) break;
    }
    await side;
    return out;
  } finally {
    await client.dispose();
  }
}
