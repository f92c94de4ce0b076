/** Every read model the hub maintains, by name. `spokes start` runs them all. */
import { access } from "./access/projection.ts";
import { directory } from "./directory/projection.ts";
import { actionHistory } from "./history/actions-projection.ts";
import { history } from "./history/projection.ts";
import { presence } from "./presence/projection.ts";
import type { AnyProjection } from "./projection.ts";
import { provisioning } from "./provisioning/projection.ts";
import { twin } from "./twin/projection.ts";

export const PROJECTIONS: readonly AnyProjection[] = [
  directory,
  twin,
  history,
  actionHistory,
  access,
  provisioning,
  presence,
];

/** The projection with this name; undefined when there is none. */
export function projectionNamed(name: string): AnyProjection | undefined {
  return PROJECTIONS.find((p) => p.name === name);
}
