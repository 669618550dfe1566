-- 006 down: the four mechanisms of 006.up.sql undone one by one, in reverse
-- order. The migrator refuses to run this in production.
--
-- Roles are cluster-wide: other databases of this system in the same cluster
-- (the test suite's parallel databases among them) may use audit_writer and
-- the runtime role at this moment. This file therefore only takes back what
-- this database granted, and touches a shared role only when no other
-- database depends on it, judged by pg_shdepend (the catalog in which
-- PostgreSQL records, cluster-wide, which database's objects grant rights to
-- which role). The runtime role itself is never dropped, nor made INHERIT
-- again (see 006.up.sql). Locks: see 001 and 006.up.sql.

-- Mechanism 4: the runtime role's membership in audit_writer. Kept while
-- another database depends on the runtime role (any grant or ownership there
-- counts): that database's audited writes need it.
DO $$
DECLARE
  app_role constant text := current_setting('loan_ledger.app_role');
BEGIN
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

-- Mechanism 3: audit_writer's grants in this database, then the role itself
-- when nothing in any database depends on it any more. A concurrent migration
-- elsewhere may start depending on it between our check and the DROP (DROP ROLE
-- then fails with 2BP01 dependent_objects_still_exist) or drop it first (42704
-- undefined_object): either way the right outcome is to leave it be.
REVOKE INSERT (application_id, event_type, actor_id, actor_type, actor_role, agent_name,
               confidence_score, reasoning, input_data_hash, previous_state, new_state,
               metadata, prev_event_hash)
  ON TABLE audit_events FROM audit_writer;
REVOKE USAGE ON SEQUENCE audit_events_id_seq FROM audit_writer;

DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'audit_writer')
     AND NOT EXISTS (
       SELECT FROM pg_catalog.pg_shdepend d
         JOIN pg_catalog.pg_roles r ON r.oid = d.refobjid
       WHERE d.refclassid = 'pg_catalog.pg_authid'::regclass AND r.rolname = 'audit_writer')
  THEN
    BEGIN
      DROP ROLE audit_writer;
    EXCEPTION WHEN dependent_objects_still_exist OR undefined_object THEN
      NULL;
    END;
  END IF;
END
$$;

-- Mechanism 2: the triggers, and the id default the INSERT trigger replaced.
DROP TRIGGER audit_events_assign_server_values ON audit_events;
ALTER TABLE audit_events ALTER COLUMN id SET DEFAULT nextval('audit_events_id_seq'::regclass);
DROP TRIGGER audit_events_refuse_truncate ON audit_events;
DROP TRIGGER audit_events_refuse_update_delete ON audit_events;

-- Mechanism 1: the trigger functions.
DROP FUNCTION audit_events_assign_server_values();
DROP FUNCTION audit_events_refuse_change();
