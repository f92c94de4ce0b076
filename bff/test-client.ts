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
