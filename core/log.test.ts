import { describe, expect, it } from "vitest";
import { createLogger, formatRecord, maskUrls } from "./log.ts";

describe("logging never shows secrets", () => {
  it.each([
    ["postgres://spokes:s3cr3t@db:5432/hub", "postgres://spokes:***@db:5432/hub"],
    ["connect nats://u:p%40ss@a:4222,nats://b:4222", "connect nats://u:***@a:4222,nats://b:4222"],
    ["nats://127.0.0.1:4222", "nats://127.0.0.1:4222"],
    ["https://user@example.com/x", "https://user@example.com/x"],
  ])("masks the password in %s", (input, expected) => {
    expect(maskUrls(input)).toBe(expected);
  });

  it.each(["password", "newPassword", "token", "refreshToken", "secret", "oobSecret", "authorization", "privateKey"])(
    "redacts a field named %s",
    (field) => {
      const line = formatRecord("info", "test", "login", { [field]: "hunter2", user: "alice" });
      expect(line).not.toContain("hunter2");
      expect(line).toContain(`${field}=[redacted]`);
      expect(line).toContain("user=alice");
    },
  );

  it("masks URL passwords inside messages and error values", () => {
    const line = formatRecord("error", "db", "cannot reach postgres://a:b@h/db", {
      err: new Error("refused postgres://a:b@h/db"),
    });
    expect(line).not.toMatch(/a:b@/);
  });
});

describe("log levels", () => {
  it("writes only records at or above the configured level", () => {
    const lines: string[] = [];
    const log = createLogger("warn", "hub", (l) => lines.push(l));
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.child("nats").error("e");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/ warn {2}hub w$/);
    expect(lines[1]).toMatch(/ error hub\/nats e$/);
  });
});
