CREATE TYPE "public"."console_mode" AS ENUM('exec', 'ssh', 'serial', 'tunnel');--> statement-breakpoint
CREATE TABLE "console_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"user_label" text NOT NULL,
	"org_id" uuid NOT NULL,
	"team_id" uuid NOT NULL,
	"workload_id" uuid NOT NULL,
	"target_label" text NOT NULL,
	"mode" "console_mode" NOT NULL,
	"started_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp (3) with time zone,
	"bytes_in" bigint DEFAULT 0 NOT NULL,
	"bytes_out" bigint DEFAULT 0 NOT NULL,
	"end_reason" text,
	"host_id" text NOT NULL,
	"recording_path" text,
	"recording_bytes" bigint
);
--> statement-breakpoint
CREATE TABLE "console_tickets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"ticket_hash" text NOT NULL,
	"user_id" uuid NOT NULL,
	"workload_id" uuid NOT NULL,
	"mode" "console_mode" NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ssh_host_keys" (
	"workload_id" uuid PRIMARY KEY NOT NULL,
	"fingerprint" text NOT NULL,
	"key_type" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "record_terminals" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "console_tickets" ADD CONSTRAINT "console_tickets_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "console_tickets" ADD CONSTRAINT "console_tickets_workload_id_workloads_id_fk" FOREIGN KEY ("workload_id") REFERENCES "public"."workloads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ssh_host_keys" ADD CONSTRAINT "ssh_host_keys_workload_id_workloads_id_fk" FOREIGN KEY ("workload_id") REFERENCES "public"."workloads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "console_sessions_org_idx" ON "console_sessions" USING btree ("org_id","started_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "console_sessions_user_idx" ON "console_sessions" USING btree ("user_id","started_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "console_sessions_live_idx" ON "console_sessions" USING btree ("host_id") WHERE "console_sessions"."ended_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "console_tickets_hash_key" ON "console_tickets" USING btree ("ticket_hash");--> statement-breakpoint
CREATE INDEX "console_tickets_expires_idx" ON "console_tickets" USING btree ("expires_at");