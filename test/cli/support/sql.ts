/**
 * Database helpers of the CLI tests, in plain SQL through `pg` (the tests
 * look at the database as an auditor would, not through the code under
 * test): a full dump, the audit trail as JSON lines for the Python verifier,
 * file-level copies of a database, and tampering as the owner.
 */
import * as Crypto from "node:crypto"
import pg from "pg"
import { inject } from "vitest"
import type { TestDatabase } from "../../support/database.js"
import { quoteIdent, withClient, withCredentials, withDatabase } from "../../support/template.js"

export const query = async <R extends Record<string, unknown>>(url: string, text: string, values: Array<unknown> = []) =>
  withClient(url, async (client) => (await client.query<R>(text, values)).rows)

/**
 * Every row of every table of the system (public and workflow schemas), with
 * its row version (`xmin`: an UPDATE that writes identical values still makes
 * a new version), plus every sequence's position. One SQL statement:
 * `query_to_xml` runs the per-table query the catalog generates.
 */
export const DUMP_SQL = `
  SELECT 'table ' || n.nspname || '.' || c.relname AS part,
         query_to_xml(format('SELECT xmin::text AS xmin, to_jsonb(t)::text AS row FROM %I.%I t ORDER BY 2',
                             n.nspname, c.relname), false, false, '')::text AS content
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('public', 'workflow')
  UNION ALL
  SELECT 'sequence ' || schemaname || '.' || sequencename,
         coalesce(last_value::text, 'unused')
  FROM pg_sequences WHERE schemaname IN ('public', 'workflow')
  ORDER BY 1`

export const dump = async (url: string): Promise<string> =>
  (await query<{ part: string; content: string }>(url, DUMP_SQL)).map((r) => `-- ${r.part}\n${r.content}`).join("\n")

/** The audit trail exactly as scripts/verify_chain.py documents its input. */
export const EXPORT_CHAINS_SQL = `
  SELECT json_build_object(
    'id', id::text, 'application_id', application_id::text,
    'event_type', event_type, 'actor_id', actor_id, 'actor_type', actor_type,
    'actor_role', actor_role, 'agent_name', agent_name,
    'confidence_score', confidence_score::text, 'reasoning', reasoning,
    'input_data_hash', input_data_hash, 'previous_state', previous_state,
    'new_state', new_state, 'metadata', metadata::text,
    'prev_event_hash', prev_event_hash, 'created_at', created_at::text)::text AS line
  FROM audit_events ORDER BY application_id NULLS FIRST, id`

export const exportChains = async (url: string, timeZone = "UTC"): Promise<string> =>
  withClient(url, async (client) => {
    // Any session time zone must give the same hashes.
    await client.query(`SET TIME ZONE '${timeZone.replace(/'/g, "''")}'`)
    const { rows } = await client.query<{ line: string }>(EXPORT_CHAINS_SQL)
    return rows.map((r) => r.line).join("\n") + "\n"
  })

/** A file-level copy (CREATE DATABASE ... TEMPLATE): the source must have no open sessions. */
export const copyDatabase = async (source: TestDatabase): Promise<TestDatabase> => {
  const cluster = inject("pg")
  const name = `${cluster.runPrefix}${Crypto.randomBytes(5).toString("hex")}`
  await withClient(cluster.adminUrl, async (client) => {
    // A just-finished subprocess's session may still be closing.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(source.name)}`)
        return
      } catch (cause) {
        if (attempt >= 50 || (cause as { code?: string }).code !== "55006") throw cause
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  })
  const adminUrl = withDatabase(cluster.adminUrl, name)
  return {
    name,
    adminUrl,
    appUrl: withCredentials(adminUrl, cluster.appRole, cluster.appRolePassword),
    appRole: cluster.appRole,
    drop: () =>
      withClient(cluster.adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`))
        .then(() => undefined)
  }
}

/**
 * Runs `statements` as the owner with migration 006's guards and its
 * server-values trigger switched off: what an attacker with the owner's
 * password could do. Only ever on a throwaway copy.
 */
export const tamper = (url: string, statements: string, values: Array<unknown> = []) =>
  withClient(url, async (client: pg.Client) => {
    await client.query("BEGIN")
    await client.query("ALTER TABLE audit_events DISABLE TRIGGER USER")
    await client.query(statements, values)
    await client.query("ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_refuse_update_delete")
    await client.query("ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_refuse_truncate")
    await client.query("ALTER TABLE audit_events ENABLE TRIGGER audit_events_assign_server_values")
    await client.query("COMMIT")
  })
