CREATE TABLE `click_profiles` (
	`link_id` integer NOT NULL,
	`day` text NOT NULL,
	`is_bot` integer NOT NULL,
	`country` text NOT NULL,
	`device` text NOT NULL,
	`os` text NOT NULL,
	`browser` text NOT NULL,
	`referrer` text NOT NULL,
	`source` text NOT NULL,
	`clicks` integer NOT NULL,
	`uniques` integer NOT NULL,
	PRIMARY KEY(`link_id`, `day`, `is_bot`, `country`, `device`, `os`, `browser`, `referrer`, `source`),
	FOREIGN KEY (`link_id`) REFERENCES `links`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
