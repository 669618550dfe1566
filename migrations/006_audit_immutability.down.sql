-- 006 down: the four mechanisms of 006.up.sql, each undone on its own. The
-- migrator refuses to run this in production.
--
-- Order: first what lives in this database only (mechanism 2, then 1), then the
-- cluster-wide roles (mechanism 3, then 4), so that the decisions about shared
-- roles are taken as late as possible, right before COMMIT.
--
-- Roles are cluster-wide: other databases of this system in the same cluster
-- (the test suite's parallel databases among them) may use audit_writer and
-- the runtime role at this moment. This file therefore only takes back what
-- this database granted, and touches a shared role only when no other
-- database depends on it, judged by pg_shdepend (the catalog in which
-- PostgreSQL records, cluster-wide, which database's objects grant rights to
-- which role). The runtime role itself is never dropped, nor made INHERIT
-- again (see 006.up.sql). Locks: see 001 and 006.up.sql.

-- Mechanism 2: the triggers, and the id default the INSERT trigger replaced.
DROP TRIGGER audit_events_assign_server_values ON audit_events;
ALTER TABLE audit_events ALTER COLUMN id SET DEFAULT nextval('audit_events_id_seq'::regclass);
DROP TRIGGER audit_events_refuse_truncate ON audit_events;
DROP TRIGGER audit_events_refuse_update_delete ON audit_events;

-- Mechanism 1: the trigger functions.
DROP FUNCTION audit_events_assign_server_values();
DROP FUNCTION audit_events_refuse_change();

-- Mechanism 3: audit_writer's grants in this database, then the role itself
-- when nothing in any database depends on it any more. DROP ROLE re-checks
-- pg_shdepend under its own lock on the role, so a grant another database
-- committed meanwhile makes it fail with 2BP01 (dependent_objects_still_exist),
-- and a drop by another database at the same moment with 42704
-- (undefined_object): either way the right outcome is to leave it be. Nor does
-- it wait: a lock someone else holds on audit_writer means another database's
-- migration is granting to it right now, so it is in use, and 55P03
-- (lock_not_available, after a short lock_timeout) also means: keep it.
REVOKE INSERT (application_id, event_type, actor_id, actor_type, actor_role, agent_name,
               confidence_score, reasoning, input_data_hash, previous_state, new_state,
               metadata, prev_event_hash)
  ON TABLE audit_events FROM audit_writer;
REVOKE USAGE ON SEQUENCE audit_events_id_seq FROM audit_writer;

DO $$
DECLARE
  outer_lock_timeout constant text := current_setting('lock_timeout');
BEGIN
  IF NOT EXISTS (
    SELECT FROM pg_catalog.pg_shdepend d
      JOIN pg_catalog.pg_roles r ON r.oid = d.refobjid
    WHERE d.refclassid = 'pg_catalog.pg_authid'::regclass AND r.rolname = 'audit_writer')
  THEN
    BEGIN
      PERFORM set_config('lock_timeout', '50ms', true);
      DROP ROLE audit_writer;
      PERFORM set_config('lock_timeout', outer_lock_timeout, true);
    EXCEPTION WHEN dependent_objects_still_exist OR undefined_object OR lock_not_available THEN
      NULL; -- in use (or gone) elsewhere: keep it; the failed block's settings are undone with it
    END;
  END IF;
END
$$;

-- Mechanism 4: the runtime role's membership in audit_writer (gone already
-- if audit_writer was dropped above). Kept while another database depends on
-- the runtime role (any grant or ownership there counts): its audited writes
-- need the membership. On PostgreSQL 16+ the GRANT first (a no-op: the
-- membership exists) takes the lock on audit_writer that every membership
-- change takes, and holds it to COMMIT, so the check below cannot interleave
-- with another database's 006 granting the same membership: either that grant
-- committed before (and that database's grants to the runtime role, made by
-- its earlier migrations, show in pg_shdepend), or it waits for our COMMIT and
-- then finds the membership gone and grants it again. PostgreSQL 15 takes no
-- such lock; there the check sits right before COMMIT, which leaves a window
-- of microseconds (see docs/migrations.md).
DO $$
DECLARE
  app_role constant text := current_setting('loan_ledger.app_role');
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'audit_writer') THEN
    RETURN;
  END IF;
  IF current_setting('server_version_num')::integer >= 160000 THEN
    EXECUTE format('GRANT audit_writer TO %I WITH INHERIT FALSE', app_role);
  END IF;
  IF EXISTS (
       SELECT FROM pg_catalog.pg_auth_members m
         JOIN pg_catalog.pg_roles r ON r.oid = m.roleid
         JOIN pg_catalog.pg_roles u ON u.oid = m.member
       WHERE r.rolname = 'audit_writer' AND u.rolname = app_role)
     AND NOT EXISTS (
       SELECT FROM pg_catalog.pg_shdepend d
         JOIN pg_catalog.pg_roles u ON u.oid = d.refobjid
       WHERE d.refclassid = 'pg_catalog.pg_authid'::regclass
         AND u.rolname = app_role
         AND d.dbid <> (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()))
  THEN
    EXECUTE format('REVOKE audit_writer FROM %I', app_role);
  END IF;
END
$$;
