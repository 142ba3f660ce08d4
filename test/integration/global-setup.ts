// Vitest globalSetup for the integration suite. Provides to the test files:
// - a PostgreSQL server URL: DATABASE_URL when set, otherwise a throwaway server started
//   here and stopped (with its data directory removed) when the run ends;
// - a migrated PGlite data directory to start each file's PGlite from (see pglite-template.ts).

import type { TestProject } from "vitest/node";
import { saveMigratedPgliteTemplate } from "./support/pglite-template";
import { startPostgresServer, type PostgresServer } from "./support/postgres-server";

declare module "vitest" {
  export interface ProvidedContext {
    /** A superuser URL; each test file creates its own database on that server. */
    postgresUrl: string;
    /** A tarball of a migrated PGlite data directory. */
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const existing = process.env.DATABASE_URL;
  const [server, template] = await Promise.allSettled([
    existing ? Promise.resolve<Pick<PostgresServer, "url" | "stop">>({ url: existing, stop: async () => {} }) : startPostgresServer(),
    saveMigratedPgliteTemplate(),
  ]);
  const teardown = async () => {
    if (template.status === "fulfilled") template.value.remove();
    if (server.status === "fulfilled") await server.value.stop();
  };
  if (server.status === "rejected" || template.status === "rejected") {
    await teardown();
    throw server.status === "rejected" ? server.reason : (template as PromiseRejectedResult).reason;
  }
  project.provide("postgresUrl", server.value.url);
  project.provide("pgliteTemplate", template.value.file);
  return teardown;
}
