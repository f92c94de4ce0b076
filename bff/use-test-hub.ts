/**
 * One test hub for a whole test file: started before its tests, closed after them. Apart from bff/test-hub.ts,
 * which the BFF benchmark imports outside the test runner.
 */
import { afterAll, beforeAll } from "vitest";
import { startTestHub, type TestHub } from "./test-hub.ts";

/** Registers the file's start and close of a test hub; the returned function gives the hub inside the tests. */
export function useTestHub(): () => TestHub {
  let hub: TestHub | undefined;
  beforeAll(async () => {
    hub = await startTestHub();
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
  });
  return () => {
    if (!hub) throw new Error("the test hub is not started yet");
    return hub;
  };
}
