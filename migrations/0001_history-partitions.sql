-- Custom SQL migration file, put your code below! --
-- history_values becomes a table partitioned by day of "time" (drizzle-kit cannot express partitioning).
-- Same columns, key and index names as 0000 created; it runs right after 0000, while the table is still empty.
-- Partitions are created by the history projection as rows arrive and dropped by its retention.
DROP TABLE "history_values";--> statement-breakpoint
CREATE TABLE "history_values" (
	"seq" bigint NOT NULL,
	"thing" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"time" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"data" jsonb,
	CONSTRAINT "history_values_seq_time_pk" PRIMARY KEY("seq","time")
) PARTITION BY RANGE ("time");--> statement-breakpoint
CREATE INDEX "history_values_thing_name_time_idx" ON "history_values" USING btree ("thing","name","time");--> statement-breakpoint
CREATE INDEX "history_values_time_idx" ON "history_values" USING btree ("time");
