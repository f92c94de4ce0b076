export { startTestNats, type TestNats } from "./nats.ts";
export { freePort, waitForPort } from "./ports.ts";
export { startTestPostgres, type TestPostgres } from "./postgres.ts";
