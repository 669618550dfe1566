-- 006 audit immutability: four mechanisms, each undone on its own by the down
-- file (in reverse order). In production the migrator refuses to undo this
-- migration or any before it.
--
--   1. the trigger functions: one refuses every change, one assigns the values
--      a writer must not choose (id, created_at);
--   2. the triggers: BEFORE UPDATE OR DELETE per row and BEFORE TRUNCATE per
--      statement (row triggers do not fire for TRUNCATE) refuse, even for the
--      owner; BEFORE INSERT assigns id and created_at;
--   3. the audit_writer role (NOLOGIN): INSERT on every column but id and
--      created_at, USAGE on the id sequence, and nothing else;
--   4. the runtime role's membership in audit_writer, without inheriting its
--      rights: the runtime role has no INSERT of its own, so its only way to
--      write the trail is SET LOCAL ROLE audit_writer inside the audited
--      transaction (RESET ROLE, or the transaction's end, takes the right away).
--
-- Locks (see 001): this runs in the migrator's transaction, after SET LOCAL
-- lock_timeout (LOCK_TIMEOUT_MS, default 5000 ms, instead of PostgreSQL's
-- default 0 = wait forever) and after pg_advisory_xact_lock, which COMMIT and
-- ROLLBACK both release. That advisory lock orders runners of THIS database
-- only: advisory locks are per database, while roles and memberships are
-- cluster-wide and shared by every database of this system in the cluster
-- (the test suite's parallel databases among them). So all role DDL here is
-- written to meet another database's migration half-way through the same
-- statement: "already exists" (23505 unique_violation, 42710 duplicate_object)
-- means done, "does not exist" (42704, dropped by a concurrent down path) means
-- create it again.
--
-- Database roles (the runtime role, audit_writer) are unrelated to the
-- application roles (loan_officer, senior_underwriter, reviewer).

-- Mechanism 1: the trigger functions.
CREATE FUNCTION audit_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
    USING HINT = 'Audit events can never be changed or removed; record a new event instead.';
END
$$;

COMMENT ON FUNCTION audit_events_refuse_change() IS 'Refuses UPDATE, DELETE and TRUNCATE of audit_events (migration 006).';

-- The id column loses its default below, so that this trigger is the only
-- source of ids: every INSERT consumes exactly one sequence value, and an id
-- named by the writer (the owner can name it; audit_writer cannot) is replaced.
CREATE FUNCTION audit_events_assign_server_values() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.id := nextval('public.audit_events_id_seq'::regclass);
  NEW.created_at := clock_timestamp();
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION audit_events_assign_server_values() IS 'Sets audit_events.id and created_at on INSERT, whatever the writer sent (migration 006).';

-- Mechanism 2: the triggers. ENABLE ALWAYS keeps the guards firing even with
-- session_replication_role = replica (which silences ordinary triggers). The
-- INSERT trigger stays an ordinary one so that a logical replica keeps the ids
-- and timestamps of the origin.
CREATE TRIGGER audit_events_refuse_update_delete
  BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_refuse_update_delete;

CREATE TRIGGER audit_events_refuse_truncate
  BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_refuse_truncate;

ALTER TABLE audit_events ALTER COLUMN id DROP DEFAULT;
CREATE TRIGGER audit_events_assign_server_values
  BEFORE INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_assign_server_values();

-- Mechanism 3: audit_writer and its grants in this database. Column privileges
-- leave id and created_at out, and no SELECT: the audited INSERT has no
-- RETURNING. USAGE on the sequence is what the trigger's nextval() needs.
DO $$
DECLARE
  writer pg_catalog.pg_roles%ROWTYPE;
BEGIN
  FOR attempt IN 1..5 LOOP
    BEGIN
      IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'audit_writer') THEN
        CREATE ROLE audit_writer NOLOGIN;
      END IF;
      GRANT INSERT (application_id, event_type, actor_id, actor_type, actor_role, agent_name,
                    confidence_score, reasoning, input_data_hash, previous_state, new_state,
                    metadata, prev_event_hash)
        ON TABLE public.audit_events TO audit_writer;
      GRANT USAGE ON SEQUENCE public.audit_events_id_seq TO audit_writer;
      EXIT;
    EXCEPTION
      WHEN unique_violation OR duplicate_object THEN
        NULL; -- another database created it at the same moment: it exists now
      WHEN undefined_object THEN
        NULL; -- another database's down path dropped it at the same moment: create it again
    END;
    IF attempt = 5 THEN
      RAISE EXCEPTION 'could not set up role audit_writer: it kept changing concurrently';
    END IF;
  END LOOP;

  SELECT * INTO writer FROM pg_catalog.pg_roles WHERE rolname = 'audit_writer';
  IF writer.rolcanlogin OR writer.rolsuper OR writer.rolbypassrls THEN
    RAISE EXCEPTION 'role audit_writer exists but is not a plain NOLOGIN role'
      USING HINT = 'audit_writer must be NOLOGIN, NOSUPERUSER, NOBYPASSRLS.';
  END IF;
END
$$;

-- Mechanism 4: the runtime role's membership in audit_writer, without
-- inheritance. PostgreSQL 16+ records inheritance per grant: WITH INHERIT FALSE.
-- There every GRANT or REVOKE of audit_writer takes a lock on the role, which
-- orders this grant against a concurrent down path of another database (see
-- 006.down.sql), so the grant is issued unconditionally: "already granted" is
-- only a NOTICE. PostgreSQL 15 knows only the member's INHERIT attribute, so
-- there the runtime role is made NOINHERIT. That is a one-way hardening that no
-- down path loosens: the role is shared with the other databases of the
-- cluster, which may rely on it, and the runtime role needs no inherited
-- rights (it is granted everything directly).
DO $$
DECLARE
  app_role constant text := current_setting('loan_ledger.app_role');
  per_grant_inherit constant boolean := current_setting('server_version_num')::integer >= 160000;
BEGIN
  IF per_grant_inherit THEN
    BEGIN
      EXECUTE format('GRANT audit_writer TO %I WITH INHERIT FALSE', app_role);
    EXCEPTION WHEN unique_violation OR duplicate_object THEN
      NULL; -- granted by another database's migration at the same moment
    END;
  ELSE
    IF (SELECT rolinherit FROM pg_catalog.pg_roles WHERE rolname = app_role) THEN
      BEGIN
        EXECUTE format('ALTER ROLE %I NOINHERIT', app_role);
      EXCEPTION WHEN internal_error THEN
        -- "tuple concurrently updated": another database did the same at the
        -- same moment. Fine if the role is NOINHERIT now.
        IF (SELECT rolinherit FROM pg_catalog.pg_roles WHERE rolname = app_role) THEN
          RAISE;
        END IF;
      END;
    END IF;
    IF NOT EXISTS (
      SELECT FROM pg_catalog.pg_auth_members m
        JOIN pg_catalog.pg_roles r ON r.oid = m.roleid
        JOIN pg_catalog.pg_roles u ON u.oid = m.member
      WHERE r.rolname = 'audit_writer' AND u.rolname = app_role
    ) THEN
      BEGIN
        EXECUTE format('GRANT audit_writer TO %I', app_role);
      EXCEPTION WHEN unique_violation OR duplicate_object THEN
        NULL; -- granted by another database's migration at the same moment
      END;
    END IF;
  END IF;

  -- What the rest of the system relies on, checked rather than assumed (a
  -- pre-existing role or grant could say otherwise).
  IF NOT pg_catalog.pg_has_role(app_role, 'audit_writer', 'MEMBER') THEN
    RAISE EXCEPTION 'runtime role "%" is not a member of audit_writer', app_role;
  END IF;
  IF per_grant_inherit THEN
    -- 'SET' is a privilege type of pg_has_role only from PostgreSQL 16 on.
    IF NOT pg_catalog.pg_has_role(app_role, 'audit_writer', 'SET') THEN
      RAISE EXCEPTION 'runtime role "%" may not SET ROLE audit_writer', app_role;
    END IF;
  END IF;
  IF pg_catalog.pg_has_role(app_role, 'audit_writer', 'USAGE')
     OR pg_catalog.has_table_privilege(app_role, 'public.audit_events', 'INSERT, UPDATE, DELETE, TRUNCATE')
     OR pg_catalog.has_any_column_privilege(app_role, 'public.audit_events', 'INSERT, UPDATE') THEN
    RAISE EXCEPTION 'runtime role "%" could write audit_events without SET ROLE audit_writer', app_role
      USING HINT = 'Revoke its direct privileges and any membership that inherits audit_writer''s rights.';
  END IF;
END
$$;
