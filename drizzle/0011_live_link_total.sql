CREATE TABLE `live_link_total` (
	`id` integer PRIMARY KEY NOT NULL,
	`live` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO `live_link_total` (`id`, `live`) SELECT 1, count(*) FROM `links` WHERE `deleted_at` IS NULL;--> statement-breakpoint
-- Kept by triggers, as user_link_counts (0010) is: every write to links that makes a link live or not
-- (creates, deletes, restores, purges) moves it in its own statement. A change of owner moves nothing.
CREATE TRIGGER `links_total_insert` AFTER INSERT ON `links`
WHEN NEW.`deleted_at` IS NULL
BEGIN
  UPDATE `live_link_total` SET `live` = `live` + 1 WHERE `id` = 1;
END;--> statement-breakpoint
CREATE TRIGGER `links_total_update` AFTER UPDATE OF `deleted_at` ON `links`
WHEN (OLD.`deleted_at` IS NULL) <> (NEW.`deleted_at` IS NULL)
BEGIN
  UPDATE `live_link_total` SET `live` = `live` + (CASE WHEN NEW.`deleted_at` IS NULL THEN 1 ELSE -1 END) WHERE `id` = 1;
END;--> statement-breakpoint
CREATE TRIGGER `links_total_delete` AFTER DELETE ON `links`
WHEN OLD.`deleted_at` IS NULL
BEGIN
  UPDATE `live_link_total` SET `live` = `live` - 1 WHERE `id` = 1;
END;
