import type { ResourceType } from "../codec/values.ts";

/** What a server may do with a resource: read, write, both, execute, or nothing (bootstrap-only resources). */
export type Operations = "R" | "W" | "RW" | "E" | "";

/** One resource of an object, as the OMA/IPSO registry defines it. Executable resources have type "none". */
export type ResourceModel = {
  id: number;
  name: string;
  operations: Operations;
  multiple: boolean;
  mandatory: boolean;
  type: ResourceType | "none";
  /** Unit symbol when the registry gives one (`s`, `%`, `Wh`…). */
  units?: string;
  /** Allowed range, inclusive, when the registry gives one. */
  range?: { min: number; max: number };
  description?: string;
};

/** One object: its id, name, URN, registry version and resources. */
export type ObjectModel = {
  id: number;
  name: string;
  urn: string;
  version: string;
  multiple: boolean;
  mandatory: boolean;
  description: string;
  resources: readonly ResourceModel[];
};

type Options = Partial<Pick<ResourceModel, "units" | "range" | "description">> & {
  multiple?: boolean;
  mandatory?: boolean;
};

/** Shorthand for a resource row: single and optional unless the options say otherwise. */
export function resource(
  id: number,
  name: string,
  operations: Operations,
  type: ResourceModel["type"],
  options: Options = {},
): ResourceModel {
  const { multiple = false, mandatory = false, ...rest } = options;
  return { id, name, operations, type, multiple, mandatory, ...rest };
}

/** Shorthand for an executable resource. */
export function executable(id: number, name: string, mandatory = false): ResourceModel {
  return resource(id, name, "E", "none", { mandatory });
}
