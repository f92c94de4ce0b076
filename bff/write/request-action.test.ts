import { describe, expect, it } from "vitest";
import { operationOf } from "./request-action.ts";

describe("the operation a stored action request stands for", () => {
  it.each([
    ["blink", undefined, "invokeaction", "blink"],
    ["writeproperty:level", undefined, "writeproperty", "level"],
    ["readproperty:level", undefined, "readproperty", "level"],
    ["readproperty:level", "readproperty", "readproperty", "level"],
    ["level", "writeproperty", "writeproperty", "level"],
    ["readproperty:x", "invokeaction", "invokeaction", "readproperty:x"],
  ] as const)("Given the name %s and op %s, Then it is %s of %s", (name, op, operation, affordance) => {
    expect(operationOf(name, op)).toEqual({ operation, affordance });
  });
});
