-- 005 down. Drops the audit trail with its sequence, indexes and grants; the
-- migrator refuses this in production (ENVIRONMENT=production), as it refuses
-- every down migration from 006 back.
DROP TABLE audit_events;
