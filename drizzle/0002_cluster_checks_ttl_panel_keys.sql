CREATE TABLE "panel_keys" (
	"purpose" text PRIMARY KEY NOT NULL,
	"public_key" text NOT NULL,
	"private_key_encrypted" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cluster_assignments" ADD COLUMN "namespace" text NOT NULL;--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "last_check" jsonb;--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "checked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workloads" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "workloads_expires_idx" ON "workloads" USING btree ("expires_at");