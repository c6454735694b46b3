DROP INDEX `clicks_link_time_idx`;--> statement-breakpoint
CREATE INDEX `clicks_day_link_idx` ON `clicks` (("clicked_at" / 86400000),`link_id`);