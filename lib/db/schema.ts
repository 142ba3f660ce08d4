// The panel's durable state. Only the domain services under lib/ import these tables;
// everything else goes through them. Migrations in drizzle/ are generated from this file
// with `npm run db:generate`.

import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";
import { ORG_ROLES, TEAM_ROLES } from "@/lib/auth/policy";
import { WORKLOAD_KINDS } from "@/lib/workloads/kinds";

/** Binary data (`bytea`); node-postgres hands back a Buffer, PGlite a Uint8Array. */
const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)),
});

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () =>
  timestamp("updated_at", { withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

/** Roles within an organization (see lib/auth/policy.ts). */
export const orgRoleEnum = pgEnum("org_role", ORG_ROLES);
/** Roles within a team (see lib/auth/policy.ts). */
export const teamRoleEnum = pgEnum("team_role", TEAM_ROLES);
/** A host cluster is registered by an admin; a nested one runs inside a host cluster. */
export const clusterKindEnum = pgEnum("cluster_kind", ["host", "nested"]);
/** What a workload row stands for in Kubernetes. */
export const workloadKindEnum = pgEnum("workload_kind", WORKLOAD_KINDS);
/** How an audited action ended. */
/** `pending`: the intent of a durable change (a create, a delete), completed to success or error once known. */
export const auditOutcomeEnum = pgEnum("audit_outcome", ["success", "denied", "error", "pending"]);
/**
 * Where a workload is in its life (lib/workloads/lifecycle.ts): `creating` (intent written,
 * objects being made or the outcome unknown), `ready`, `failed` (cleanup queued), `deleting`,
 * `lost` (its objects vanished from the cluster).
 */
export const workloadStateEnum = pgEnum("workload_state", ["creating", "ready", "failed", "deleting", "lost"]);
/** How a terminal reaches its target: pod exec, ssh from the panel, a VM's serial console, or a laptop's ssh tunnel. */
export const consoleModeEnum = pgEnum("console_mode", ["exec", "ssh", "serial", "tunnel", "vnc"]);

/** People who sign in: with a local password, through OIDC, or both. */
export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // Always stored lower-cased, so the unique index is case-insensitive in effect.
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash"),
    oidcIssuer: text("oidc_issuer"),
    oidcSubject: text("oidc_subject"),
    isPlatformAdmin: boolean("is_platform_admin").notNull().default(false),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    // Sessions issued before this instant are refused; bumped when the user is disabled.
    sessionsValidAfter: timestamp("sessions_valid_after", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("users_email_key").on(t.email),
    uniqueIndex("users_oidc_identity_key").on(t.oidcIssuer, t.oidcSubject),
    check("users_email_lower_case", sql`${t.email} = lower(${t.email})`),
    check("users_oidc_identity_pair", sql`(${t.oidcIssuer} is null) = (${t.oidcSubject} is null)`),
  ],
);

/** The top tenancy level: an organization owns teams. */
export const organizations = pgTable(
  "organizations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    // Fixed at creation: a stable identifier for URLs and Kubernetes names.
    slug: text("slug").notNull(),
    // Terminal sessions of this org's teams are recorded (output only) for admins to replay.
    recordTerminals: boolean("record_terminals").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("organizations_slug_key").on(t.slug), uniqueIndex("organizations_name_key").on(sql`lower(${t.name})`)],
);

/** A user's role in an organization. */
export const orgMembers = pgTable(
  "org_members",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: orgRoleEnum("role").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ name: "org_members_pkey", columns: [t.orgId, t.userId] }), index("org_members_user_idx").on(t.userId)],
);

/** A team within an organization: the unit that owns workloads and gets clusters assigned. */
export const teams = pgTable(
  "teams",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // Restrict: an organization is deleted only once its teams are gone.
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    name: text("name").notNull(),
    // Fixed at creation: a stable identifier for URLs and Kubernetes names.
    slug: text("slug").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("teams_org_slug_key").on(t.orgId, t.slug),
    uniqueIndex("teams_org_name_key").on(t.orgId, sql`lower(${t.name})`),
  ],
);

/** A user's role in a team. */
export const teamMembers = pgTable(
  "team_members",
  {
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: teamRoleEnum("role").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ name: "team_members_pkey", columns: [t.teamId, t.userId] }), index("team_members_user_idx").on(t.userId)],
);

/** A Kubernetes cluster the panel manages: a registered host cluster or a nested one. */
export const clusters = pgTable(
  "clusters",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    kind: clusterKindEnum("kind").notNull(),
    // AES-256-GCM ciphertext; null when the panel uses its in-cluster service account.
    kubeconfigEncrypted: text("kubeconfig_encrypted"),
    inCluster: boolean("in_cluster").notNull().default(false),
    // The admin chose to connect without verifying TLS (insecure-skip-tls-verify, or http://).
    insecureTls: boolean("insecure_tls").notNull().default(false),
    // Which cluster this is (its kube-system namespace's UID), so one cluster is registered once.
    identity: text("identity"),
    parentClusterId: uuid("parent_cluster_id").references((): AnyPgColumn => clusters.id, { onDelete: "restrict" }),
    nestedType: text("nested_type"),
    nestedVersion: text("nested_version"),
    nestedNamespace: text("nested_namespace"),
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    // The panel's own local control plane (lib/local-cluster), re-made and re-registered at each start.
    builtIn: boolean("built_in").notNull().default(false),
    // The last connection check (version, nodes, APIs, missing permissions); see lib/clusters.
    lastCheck: jsonb("last_check").$type<Record<string, unknown>>(),
    checkedAt: timestamp("checked_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("clusters_slug_key").on(t.slug),
    uniqueIndex("clusters_identity_key").on(t.identity),
    // At most one built-in cluster.
    uniqueIndex("clusters_built_in_key").on(t.builtIn).where(sql`${t.builtIn}`),
    check("clusters_nested_has_parent", sql`(${t.kind} = 'nested') = (${t.parentClusterId} is not null)`),
  ],
);

/** A cluster made available to a team, with the team's quota there (null = unlimited). */
export const clusterAssignments = pgTable(
  "cluster_assignments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clusterId: uuid("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    // Restrict: a team is deleted only once its assignments are gone.
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "restrict" }),
    // The team's namespace in that cluster (`mc-<org>-<team>`).
    namespace: text("namespace").notNull(),
    cpuMillicores: integer("cpu_millicores"),
    memoryMib: integer("memory_mib"),
    maxPods: integer("max_pods"),
    maxVms: integer("max_vms"),
    storageGib: integer("storage_gib"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("cluster_assignments_cluster_team_key").on(t.clusterId, t.teamId),
    index("cluster_assignments_team_idx").on(t.teamId),
    check(
      "cluster_assignments_quota_non_negative",
      sql`coalesce(${t.cpuMillicores}, 0) >= 0 and coalesce(${t.memoryMib}, 0) >= 0 and coalesce(${t.maxPods}, 0) >= 0 and coalesce(${t.maxVms}, 0) >= 0 and coalesce(${t.storageGib}, 0) >= 0`,
    ),
  ],
);

/** The record of intent and ownership for something a team runs in a cluster. */
export const workloads = pgTable(
  "workloads",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // Restrict: a team (or cluster) is deleted only once its workloads are gone.
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "restrict" }),
    clusterId: uuid("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "restrict" }),
    kind: workloadKindEnum("kind").notNull(),
    namespace: text("namespace").notNull(),
    name: text("name").notNull(),
    spec: jsonb("spec").$type<Record<string, unknown>>().notNull().default({}),
    // Time-to-live: the reaper deletes the workload after this instant.
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    state: workloadStateEnum("state").notNull().default("ready"),
    // Why it is in that state, in plain words (the last error of a create or delete, …).
    stateReason: text("state_reason"),
    stateChangedAt: timestamp("state_changed_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    // The reconciler's retries of an unfinished create or delete, and when it tries next (back-off).
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, precision: 3 }),
    createdBy: uuid("created_by")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("workloads_cluster_namespace_name_key").on(t.clusterId, t.namespace, t.name),
    index("workloads_team_idx").on(t.teamId),
    index("workloads_expires_idx").on(t.expiresAt),
    index("workloads_state_idx").on(t.state),
  ],
);

/**
 * Key pairs the panel itself holds, e.g. the one browser terminals use to ssh into pods
 * (its public half goes into every pod's authorized_keys). Private halves are sealed.
 */
export const panelKeys = pgTable("panel_keys", {
  purpose: text("purpose").primaryKey(),
  publicKey: text("public_key").notNull(),
  privateKeyEncrypted: text("private_key_encrypted").notNull(),
  createdAt: createdAt(),
});

/** A user's SSH public keys, installed into their pods and VMs. */
export const sshKeys = pgTable(
  "ssh_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    type: text("type").notNull(),
    publicKey: text("public_key").notNull(),
    fingerprintSha256: text("fingerprint_sha256").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("ssh_keys_user_fingerprint_key").on(t.userId, t.fingerprintSha256)],
);

/** Personal API tokens; only a SHA-256 hash of the secret is stored. */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    prefix: text("prefix").notNull(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("api_tokens_token_hash_key").on(t.tokenHash), index("api_tokens_user_idx").on(t.userId)],
);

/**
 * Who did what, with what outcome. Rows outlive what they describe: org, team and target
 * ids are plain values, not foreign keys, and the actor's label is copied at write time.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // Insertion order: breaks ties between events written in the same millisecond.
    seq: bigint("seq", { mode: "number" }).notNull().generatedAlwaysAsIdentity(),
    actorId: uuid("actor_id").references(() => users.id, { onDelete: "set null" }),
    actorLabel: text("actor_label").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id"),
    targetLabel: text("target_label"),
    orgId: uuid("org_id"),
    teamId: uuid("team_id"),
    outcome: auditOutcomeEnum("outcome").notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    // Millisecond precision so a JavaScript Date round-trips exactly (used as a page cursor);
    // clock_timestamp() so several events in one transaction keep their order.
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`clock_timestamp()`),
  },
  (t) => [
    index("audit_events_created_idx").on(t.createdAt.desc(), t.seq.desc()),
    index("audit_events_org_idx").on(t.orgId, t.createdAt.desc()),
    index("audit_events_team_idx").on(t.teamId, t.createdAt.desc()),
    index("audit_events_actor_idx").on(t.actorId, t.createdAt.desc()),
    index("audit_events_action_idx").on(t.action, t.createdAt.desc()),
  ],
);

/** Failed sign-in counters per account and per address, used to slow down guessing. */
export const signInThrottle = pgTable("sign_in_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull().default(0),
  lastFailureAt: timestamp("last_failure_at", { withTimezone: true }),
  blockedUntil: timestamp("blocked_until", { withTimezone: true }),
});

/**
 * One terminal session (browser exec/ssh/serial, or a laptop's ssh tunnel): who, what, when,
 * how many bytes each way and how it ended. Written at start, completed at the end; a row
 * with no end belongs to a live session (or to a replica that died — see `host_id`).
 * Ids of the user, org, team and workload are plain values so the row outlives them.
 */
export const consoleSessions = pgTable(
  "console_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id").notNull(),
    userLabel: text("user_label").notNull(),
    orgId: uuid("org_id").notNull(),
    teamId: uuid("team_id").notNull(),
    workloadId: uuid("workload_id").notNull(),
    // What the user saw as the target, e.g. `team/pod-name`, kept for when the workload is gone.
    targetLabel: text("target_label").notNull(),
    mode: consoleModeEnum("mode").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    endedAt: timestamp("ended_at", { withTimezone: true, precision: 3 }),
    // Input: from the user to the target; output: from the target to the user.
    bytesIn: bigint("bytes_in", { mode: "number" }).notNull().default(0),
    bytesOut: bigint("bytes_out", { mode: "number" }).notNull().default(0),
    endReason: text("end_reason"),
    // The replica that holds the session (a terminal lives where its websocket landed).
    hostId: text("host_id").notNull(),
    // Whether the session's output is being recorded (the organization's setting when it started).
    recorded: boolean("recorded").notNull().default(false),
    // An admin asked to end the session; the replica that holds it ends it (lib/console/session/session-admin.ts).
    endRequestedAt: timestamp("end_requested_at", { withTimezone: true, precision: 3 }),
    // Size of the compressed recording in console_recordings, once a recorded session has ended.
    recordingBytes: bigint("recording_bytes", { mode: "number" }),
  },
  (t) => [
    index("console_sessions_org_idx").on(t.orgId, t.startedAt.desc()),
    index("console_sessions_user_idx").on(t.userId, t.startedAt.desc()),
    index("console_sessions_live_idx").on(t.hostId).where(sql`${t.endedAt} is null`),
  ],
);

/**
 * The panel's replicas, each saying it is alive every few seconds (lib/console/session/session-admin.ts):
 * an open session whose replica has gone quiet can then be closed by an admin from any other.
 */
/**
 * Leases for work one replica does at a time (the reconciler): held by `holder` until
 * `expiresAt`, renewed while it works, taken over once it lapses (a crashed holder).
 */
export const panelLeases = pgTable("panel_leases", {
  name: text("name").primaryKey(),
  holder: text("holder").notNull(),
  expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
});

export const panelReplicas = pgTable("panel_replicas", {
  hostId: text("host_id").primaryKey(),
  lastSeenAt: timestamp("last_seen_at", { withTimezone: true, precision: 3 }).notNull(),
});

/**
 * A recorded session's output: a gzip-compressed asciicast v2 file, stored with the session so
 * that any replica can replay it (the replica that held the session spools it to disk while it
 * runs and moves it here when the session ends). Kept apart from console_sessions so lists of
 * sessions never read the blobs.
 */
export const consoleRecordings = pgTable("console_recordings", {
  sessionId: uuid("session_id")
    .primaryKey()
    .references(() => consoleSessions.id, { onDelete: "cascade" }),
  castGzip: bytea("cast_gzip").notNull(),
  // The size cap (or a disk too slow for the output) cut the recording short.
  truncated: boolean("truncated").notNull().default(false),
  createdAt: createdAt(),
});

/**
 * Single-use tickets that let a browser open one terminal: bound to a user, a workload and a
 * mode, valid for seconds. Only a SHA-256 hash of the ticket is stored.
 */
export const consoleTickets = pgTable(
  "console_tickets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ticketHash: text("ticket_hash").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    workloadId: uuid("workload_id")
      .notNull()
      .references(() => workloads.id, { onDelete: "cascade" }),
    mode: consoleModeEnum("mode").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("console_tickets_hash_key").on(t.ticketHash), index("console_tickets_expires_idx").on(t.expiresAt)],
);

/** The host key each workload's sshd showed the first time the panel connected (trust on first use). */
export const sshHostKeys = pgTable("ssh_host_keys", {
  workloadId: uuid("workload_id")
    .primaryKey()
    .references(() => workloads.id, { onDelete: "cascade" }),
  // `SHA256:…` of the key blob, as OpenSSH prints it.
  fingerprint: text("fingerprint").notNull(),
  keyType: text("key_type").notNull(),
  firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull().defaultNow(),
});
