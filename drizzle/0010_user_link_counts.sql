CREATE TABLE `user_link_counts` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`live` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `user_link_counts` (`user_id`, `live`) SELECT `user_id`, count(*) FROM `links` WHERE `user_id` IS NOT NULL AND `deleted_at` IS NULL GROUP BY `user_id`;--> statement-breakpoint
-- Kept by triggers, not by the repository: every write to links (creates, deletes, restores,
-- transfers, a user's deletion setting user_id to NULL, purges) moves the count in its own statement.
-- Decrements are plain UPDATEs: a user being deleted may have lost its row to the cascade already.
CREATE TRIGGER `links_count_insert` AFTER INSERT ON `links`
WHEN NEW.`user_id` IS NOT NULL AND NEW.`deleted_at` IS NULL
BEGIN
  INSERT INTO `user_link_counts` (`user_id`, `live`) VALUES (NEW.`user_id`, 1)
    ON CONFLICT (`user_id`) DO UPDATE SET `live` = `live` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `links_count_update` AFTER UPDATE OF `user_id`, `deleted_at` ON `links`
WHEN OLD.`user_id` IS NOT NEW.`user_id` OR (OLD.`deleted_at` IS NULL) <> (NEW.`deleted_at` IS NULL)
BEGIN
  UPDATE `user_link_counts` SET `live` = `live` - 1 WHERE OLD.`deleted_at` IS NULL AND `user_id` = OLD.`user_id`;
  INSERT INTO `user_link_counts` (`user_id`, `live`) SELECT NEW.`user_id`, 1 WHERE NEW.`user_id` IS NOT NULL AND NEW.`deleted_at` IS NULL
    ON CONFLICT (`user_id`) DO UPDATE SET `live` = `live` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `links_count_delete` AFTER DELETE ON `links`
WHEN OLD.`user_id` IS NOT NULL AND OLD.`deleted_at` IS NULL
BEGIN
  UPDATE `user_link_counts` SET `live` = `live` - 1 WHERE `user_id` = OLD.`user_id`;
END;
