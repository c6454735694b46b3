-- ShrtLnk's ip_address label used to default to the creating client's address (the public form's
-- visitors' too), which SPEC forbids storing and nothing ever read back: no route, page or export
-- shows it and deduplication does not use it. Labels given explicitly cannot be told from
-- defaulted ones, so all are forgotten; new links keep only an address an integrator sends.
UPDATE `links` SET `label_ip` = NULL WHERE `label_ip` IS NOT NULL;
