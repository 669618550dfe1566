-- 008 down. No CASCADE: anything else found in the schema is not ours to drop,
-- and the down path fails instead.
DROP TABLE workflow.checkpoints;
DROP SCHEMA workflow;
