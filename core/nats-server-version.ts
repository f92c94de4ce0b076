/**
 * Which nats-server versions the hub works with, and which optional features a version brings. Pure: the adapter
 * reads the version from the connection and asks here. An old server silently ignores stream and consumer settings
 * it does not know, so the hub refuses one that lacks a feature it relies on instead of running wrongly.
 */
import { UnavailableError } from "./errors.ts";

type Version = [number, number, number];

export function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function atLeast(v: Version, min: Version): boolean {
  for (let i = 0; i < 3; i++) {
    if ((v[i] ?? 0) !== (min[i] ?? 0)) return (v[i] ?? 0) > (min[i] ?? 0);
  }
  return true;
}

/** Features the hub cannot run without, with the release that brought each. */
export const REQUIRED_FEATURES: { feature: string; since: Version }[] = [
  { feature: "JetStream with message dedup and expected last subject sequence", since: [2, 2, 0] },
  { feature: "direct get of the last message per subject", since: [2, 9, 0] },
  { feature: "consumers with several subject filters (older servers deliver the whole stream)", since: [2, 10, 0] },
  { feature: "expected last sequence over a subject filter (provisioning decisions)", since: [2, 11, 0] },
];

export type ServerFeatures = { version: string; fastIngest: boolean; messageTtl: boolean };

/** Throws UnavailableError naming the missing feature when the server is too old. */
export function checkServerVersion(version: string): ServerFeatures {
  const v = parseVersion(version);
  if (!v) throw new UnavailableError(`nats-server reported an unreadable version "${version}"`);
  for (const { feature, since } of REQUIRED_FEATURES) {
    if (!atLeast(v, since)) {
      throw new UnavailableError(
        `nats-server ${version} is too old: Spokes needs ${since.join(".")} or later for ${feature}. ` +
          "Run `npm run setup` to install a current release, or point SPOKES_NATS_URL at one.",
      );
    }
  }
  return { version, fastIngest: atLeast(v, [2, 14, 0]), messageTtl: atLeast(v, [2, 11, 0]) };
}
