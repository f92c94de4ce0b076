/** Starting a session: a short-lived access token and a refresh token. */
import { issueAccessToken } from "./auth/access-tokens.ts";
import { issueRefreshToken } from "./auth/refresh-tokens.ts";
import type { Services } from "./context.ts";

export type Session = {
  user: string;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
};

export async function startSession(services: Services, user: string): Promise<Session> {
  const access = await issueAccessToken(services.keys, user, services.accessTtlMs);
  const refresh = await issueRefreshToken(services.refreshTokens, user, services.refreshTtlMs);
  return {
    user,
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken: refresh.token,
    refreshTokenExpiresAt: refresh.expiresAt,
  };
}
