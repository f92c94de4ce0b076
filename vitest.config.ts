import { defineConfig } from "vitest/config";

const ignore = ["node_modules/**", "data/**", ".tools/**"];

export default defineConfig({
  test: {
    reporters: ["default", "./test/summary-reporter.ts"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["**/*.test.ts"],
          exclude: [...ignore, "**/*.int.test.ts", "**/*.e2e.test.ts"],
        },
      },
      {
        test: { name: "int", include: ["**/*.int.test.ts"], exclude: ignore, testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        test: {
          name: "e2e",
          include: ["**/*.e2e.test.ts"],
          exclude: ignore,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
