CREATE TYPE "public"."workload_state" AS ENUM('creating', 'ready', 'failed', 'deleting', 'lost');--> statement-breakpoint
ALTER TYPE "public"."audit_outcome" ADD VALUE 'pending';--> statement-breakpoint
CREATE TABLE "panel_leases" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "workloads" ADD COLUMN "state" "workload_state" DEFAULT 'ready' NOT NULL;--> statement-breakpoint
ALTER TABLE "workloads" ADD COLUMN "state_reason" text;--> statement-breakpoint
ALTER TABLE "workloads" ADD COLUMN "state_changed_at" timestamp (3) with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "workloads" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "workloads" ADD COLUMN "next_attempt_at" timestamp (3) with time zone;--> statement-breakpoint
CREATE INDEX "workloads_state_idx" ON "workloads" USING btree ("state");