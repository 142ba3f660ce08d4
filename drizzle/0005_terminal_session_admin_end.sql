ALTER TABLE "console_sessions" ADD COLUMN "recorded" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "console_sessions" ADD COLUMN "end_requested_at" timestamp (3) with time zone;