CREATE TABLE `link_counters` (
	`link_id` integer PRIMARY KEY NOT NULL,
	`total_clicks` integer DEFAULT 0 NOT NULL,
	`unique_clicks` integer DEFAULT 0 NOT NULL,
	`last_clicked_at` integer,
	FOREIGN KEY (`link_id`) REFERENCES `links`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `link_counters` (`link_id`, `total_clicks`, `unique_clicks`, `last_clicked_at`) SELECT `id`, `total_clicks`, `unique_clicks`, `last_clicked_at` FROM `links` WHERE `total_clicks` > 0 OR `unique_clicks` > 0 OR `last_clicked_at` IS NOT NULL;--> statement-breakpoint
ALTER TABLE `links` DROP COLUMN `total_clicks`;--> statement-breakpoint
ALTER TABLE `links` DROP COLUMN `unique_clicks`;--> statement-breakpoint
ALTER TABLE `links` DROP COLUMN `last_clicked_at`;