// drizzle-kit configuration: generates SQL migrations into drizzle/ from lib/db/schema.ts.
// The panel applies them itself at start (lib/db/migrate.ts); `npm run db:generate` after a schema change.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/db/schema.ts",
  out: "./drizzle",
});
