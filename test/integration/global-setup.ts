// Vitest globalSetup for the integration suite: provides a PostgreSQL server URL to the
// test files — DATABASE_URL when set, otherwise a throwaway server started here and
// stopped (with its data directory removed) when the run ends.

import type { TestProject } from "vitest/node";
import { startPostgresServer } from "./support/postgres-server";

declare module "vitest" {
  export interface ProvidedContext {
    /** A superuser URL; each test file creates its own database on that server. */
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const existing = process.env.DATABASE_URL;
  if (existing) {
    project.provide("postgresUrl", existing);
    return;
  }
  const server = await startPostgresServer();
  project.provide("postgresUrl", server.url);
  return () => server.stop();
}
