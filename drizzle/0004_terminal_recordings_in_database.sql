CREATE TABLE "console_recordings" (
	"session_id" uuid PRIMARY KEY NOT NULL,
	"cast_gzip" "bytea" NOT NULL,
	"truncated" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "console_recordings" ADD CONSTRAINT "console_recordings_session_id_console_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."console_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "console_sessions" DROP COLUMN "recording_path";