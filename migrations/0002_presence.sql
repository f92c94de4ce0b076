CREATE TABLE "presence_devices" (
	"device" text PRIMARY KEY NOT NULL,
	"state" text NOT NULL,
	"until" timestamp with time zone,
	"binding" text,
	"things" text[],
	"since" timestamp with time zone NOT NULL,
	"seq" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "history_actions_thing_since_idx" ON "history_actions" USING btree ("thing",coalesce("requested_at", "updated_at"),"action_id");