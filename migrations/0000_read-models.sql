CREATE TABLE "projection_checkpoints" (
	"name" text PRIMARY KEY NOT NULL,
	"seq" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "projection_poison" (
	"projection" text NOT NULL,
	"seq" bigint NOT NULL,
	"subject" text NOT NULL,
	"type" text NOT NULL,
	"reason" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "projection_poison_projection_seq_pk" PRIMARY KEY("projection","seq")
);
--> statement-breakpoint
CREATE TABLE "access_group_things" (
	"group" text NOT NULL,
	"thing" text NOT NULL,
	CONSTRAINT "access_group_things_group_thing_pk" PRIMARY KEY("group","thing")
);
--> statement-breakpoint
CREATE TABLE "access_groups" (
	"group" text PRIMARY KEY NOT NULL,
	"title" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "access_members" (
	"group" text NOT NULL,
	"user" text NOT NULL,
	"role" text NOT NULL,
	CONSTRAINT "access_members_group_user_pk" PRIMARY KEY("group","user")
);
--> statement-breakpoint
CREATE TABLE "access_users" (
	"user" text PRIMARY KEY NOT NULL,
	"display_name" text,
	"password_hash" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_things" (
	"thing" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"types" text[] NOT NULL,
	"td" jsonb NOT NULL,
	"source" text NOT NULL,
	"version" bigint NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "history_action_steps" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"action_id" text NOT NULL,
	"state" text NOT NULL,
	"time" timestamp with time zone NOT NULL,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "history_actions" (
	"action_id" text PRIMARY KEY NOT NULL,
	"thing" text NOT NULL,
	"name" text NOT NULL,
	"input" jsonb,
	"requested_by" text,
	"ttl_ms" bigint,
	"requested_at" timestamp with time zone,
	"state" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"output" jsonb,
	"error" text,
	"state_seq" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "history_values" (
	"seq" bigint NOT NULL,
	"thing" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"time" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"data" jsonb,
	CONSTRAINT "history_values_seq_time_pk" PRIMARY KEY("seq","time")
);
--> statement-breakpoint
CREATE TABLE "provisioning_credentials" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"device" text NOT NULL,
	"credential_hash" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "provisioning_devices" (
	"device" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"public_key" text,
	"secret_hash" text,
	"updated_at" timestamp with time zone NOT NULL,
	"seq" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provisioning_requests" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"device" text NOT NULL,
	"status" text NOT NULL,
	"public_key" text,
	"requested_at" timestamp with time zone NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"reason" text
);
--> statement-breakpoint
CREATE TABLE "twin_values" (
	"thing" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"value" jsonb,
	"time" timestamp with time zone NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "twin_values_thing_kind_name_pk" PRIMARY KEY("thing","kind","name")
);
--> statement-breakpoint
CREATE INDEX "access_group_things_thing_idx" ON "access_group_things" USING btree ("thing");--> statement-breakpoint
CREATE INDEX "access_members_user_idx" ON "access_members" USING btree ("user");--> statement-breakpoint
CREATE INDEX "directory_things_types_idx" ON "directory_things" USING gin ("types");--> statement-breakpoint
CREATE INDEX "history_action_steps_action_idx" ON "history_action_steps" USING btree ("action_id","seq");--> statement-breakpoint
CREATE INDEX "history_actions_thing_requested_idx" ON "history_actions" USING btree ("thing","requested_at");--> statement-breakpoint
CREATE INDEX "history_values_thing_name_time_idx" ON "history_values" USING btree ("thing","name","time");--> statement-breakpoint
CREATE INDEX "history_values_time_idx" ON "history_values" USING btree ("time");--> statement-breakpoint
CREATE INDEX "provisioning_credentials_device_idx" ON "provisioning_credentials" USING btree ("device");--> statement-breakpoint
CREATE INDEX "provisioning_requests_device_idx" ON "provisioning_requests" USING btree ("device");