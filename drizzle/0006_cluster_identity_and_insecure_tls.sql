ALTER TABLE "clusters" ADD COLUMN "insecure_tls" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "identity" text;--> statement-breakpoint
CREATE UNIQUE INDEX "clusters_identity_key" ON "clusters" USING btree ("identity");