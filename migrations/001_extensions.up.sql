-- 001 extensions, and the runtime role.
--
-- How every migration runs (the loan-ledger migrator, see docs/migrations.md):
-- one transaction per migration, and before this file's first statement the
-- runner has, in that transaction,
--   * SET LOCAL lock_timeout to LOCK_TIMEOUT_MS (default 5000 ms). PostgreSQL's
--     default is 0, which means "wait forever": a migration queued behind a long
--     transaction would hold up every later query on the same table with it.
--   * taken pg_advisory_xact_lock(<namespace>, <key>): a transaction-scoped
--     advisory lock, released by COMMIT and by ROLLBACK alike. Two runners on one
--     database therefore apply each migration once, a crashed runner leaves no
--     lock behind, and no session state outlives the transaction, so the runner
--     also works through PgBouncer in transaction mode. Advisory locks are per
--     database: they do not order runners of different databases (see 006).
--   * set loan_ledger.app_role with set_config(..., true) (transaction-local) to
--     DATABASE_APP_ROLE (default app_user). SQL quotes it with format('%I').
--
-- Database roles (the runtime role, audit_writer) are PostgreSQL login and
-- privilege roles. They are unrelated to the application roles loan_officer,
-- senior_underwriter and reviewer, which are values in api_keys.role.
--
-- Extensions: none is needed. gen_random_uuid() is built into PostgreSQL 13+,
-- and hashing, HMAC and encryption all happen in TypeScript (node:crypto), so
-- pgcrypto would only add attack surface. The migration keeps its number and
-- name so that the numbering matches the design.

DO $$
BEGIN
  IF current_setting('server_version_num')::integer < 150000 THEN
    RAISE EXCEPTION 'loan-ledger needs PostgreSQL 15 or later; this server is %',
      current_setting('server_version');
  END IF;
END
$$;

-- The runtime role: created NOLOGIN when missing; operators (or the embedded
-- default) give it LOGIN and a password. Roles are cluster-wide, so another
-- database of this system may already have created it, or may be creating it at
-- this very moment: PostgreSQL then reports unique_violation (23505) or
-- duplicate_object (42710), which means the role exists, which is all we need.
-- No down path ever drops this role: other databases and open sessions use it.
DO $$
DECLARE
  app_role constant text := current_setting('loan_ledger.app_role');
  role_row pg_catalog.pg_roles%ROWTYPE;
BEGIN
  IF app_role = '' OR app_role = current_user OR app_role = 'audit_writer' OR app_role LIKE 'pg\_%' THEN
    RAISE EXCEPTION 'unsuitable runtime role name "%"', app_role
      USING HINT = 'DATABASE_APP_ROLE names a role of its own, not the owner, not audit_writer, not a pg_ role.';
  END IF;

  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = app_role) THEN
    BEGIN
      EXECUTE format('CREATE ROLE %I NOLOGIN', app_role);
    EXCEPTION WHEN unique_violation OR duplicate_object THEN
      NULL; -- created by another database's migration at the same moment
    END;
  END IF;

  -- The runtime role must not be able to step around the audit guards.
  SELECT * INTO role_row FROM pg_catalog.pg_roles WHERE rolname = app_role;
  IF role_row.rolsuper OR role_row.rolbypassrls OR role_row.rolreplication THEN
    RAISE EXCEPTION 'runtime role "%" must not be a superuser, BYPASSRLS or REPLICATION role', app_role;
  END IF;
  IF pg_catalog.pg_has_role(app_role, current_user, 'MEMBER') THEN
    RAISE EXCEPTION 'runtime role "%" must not be a member of the owner role "%"', app_role, current_user;
  END IF;
END
$$;
