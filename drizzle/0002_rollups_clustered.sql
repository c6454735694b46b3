PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_click_rollups` (
	`link_id` integer NOT NULL,
	`day` text NOT NULL,
	`dim` text NOT NULL,
	`value` text NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`link_id`, `dim`, `value`, `day`),
	FOREIGN KEY (`link_id`) REFERENCES `links`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_click_rollups`("link_id", "day", "dim", "value", "clicks") SELECT "link_id", "day", "dim", "value", "clicks" FROM `click_rollups`;--> statement-breakpoint
DROP TABLE `click_rollups`;--> statement-breakpoint
ALTER TABLE `__new_click_rollups` RENAME TO `click_rollups`;--> statement-breakpoint
PRAGMA foreign_keys=ON;