DROP INDEX `links_dedupe_idx`;--> statement-breakpoint
CREATE INDEX `links_user_live_idx` ON `links` (`user_id`,`deleted_at`) WHERE "links"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `links_dedupe_idx` ON `links` (`destination`,`source`,`user_id`,`label_user_id`) WHERE "links"."deleted_at" IS NULL;