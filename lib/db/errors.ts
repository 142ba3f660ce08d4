// Recognising PostgreSQL errors through Drizzle's wrapper, the same way for pg and PGlite.

interface PgErrorFields {
  code?: string;
  constraint?: string;
}

// Drizzle wraps driver errors in DrizzleQueryError with the driver's error as `cause`.
function pgErrorOf(error: unknown): PgErrorFields | null {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const fields = e as PgErrorFields & { cause?: unknown };
    if (typeof fields.code === "string" && /^[0-9A-Z]{5}$/.test(fields.code)) return fields;
    e = fields.cause;
  }
  return null;
}

/** Whether `error` is a unique-constraint violation (on `constraint`, when given). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pgError = pgErrorOf(error);
  return pgError?.code === "23505" && (constraint === undefined || pgError.constraint === constraint);
}

/** Whether `error` is a foreign-key violation (on `constraint`, when given). */
export function isForeignKeyViolation(error: unknown, constraint?: string): boolean {
  const pgError = pgErrorOf(error);
  return pgError?.code === "23503" && (constraint === undefined || pgError.constraint === constraint);
}
