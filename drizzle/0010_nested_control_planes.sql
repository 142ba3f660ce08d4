CREATE TABLE "nested_control_planes" (
	"workload_id" uuid PRIMARY KEY NOT NULL,
	"pki_encrypted" text NOT NULL,
	"certificates_expire_at" timestamp with time zone NOT NULL,
	"certificates_rotated_at" timestamp with time zone,
	"steps" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "nested_control_planes" ADD CONSTRAINT "nested_control_planes_workload_id_workloads_id_fk" FOREIGN KEY ("workload_id") REFERENCES "public"."workloads"("id") ON DELETE cascade ON UPDATE no action;