/** drizzle-kit: `npx drizzle-kit generate` writes SQL for changes in the read-model tables into `migrations/`. */
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: ["./projections/tables.ts", "./projections/*/tables.ts"],
  out: "./migrations",
});
