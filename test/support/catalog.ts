/**
 * A comparable snapshot of what migrations create in one database: schemas,
 * tables and sequences, columns, constraints, indexes, triggers, functions,
 * extensions, comments and every privilege on them (column privileges
 * included), plus the cluster-wide roles the migrations manage and their
 * memberships. Two snapshots are equal exactly when a migration's down path
 * restored what its up path found.
 *
 * No OIDs, no data: only definitions, as PostgreSQL prints them. Privileges
 * are listed one row per grantee and privilege (aclexplode), with an absent
 * ACL read as its default, so "never granted" and "granted, then revoked"
 * compare equal, as they should.
 */
import pg from "pg"

export interface CatalogSnapshot {
  readonly [section: string]: ReadonlyArray<unknown>
}

const OUR_SCHEMAS = `
  n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
`

/** Privileges of an ACL column, sorted, as "grantee privilege [WITH GRANT OPTION] BY grantor". */
const acl = (expression: string) => `
  (SELECT coalesce(array_agg(
            (CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END) || ' ' ||
            a.privilege_type || CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END ||
            ' BY ' || pg_get_userbyid(a.grantor)
            ORDER BY 1), '{}')
   FROM aclexplode(${expression}) a)
`

const queries = (roles: ReadonlyArray<string>, version: number): Record<string, { text: string; values?: Array<unknown> }> => ({
  schemas: {
    text: `
      SELECT n.nspname AS name, pg_get_userbyid(n.nspowner) AS owner,
             ${acl("coalesce(n.nspacl, acldefault('n', n.nspowner))")} AS privileges,
             obj_description(n.oid, 'pg_namespace') AS comment
      FROM pg_namespace n WHERE ${OUR_SCHEMAS} ORDER BY 1`
  },
  relations: {
    text: `
      SELECT n.nspname || '.' || c.relname AS name, c.relkind AS kind, c.relpersistence AS persistence,
             pg_get_userbyid(c.relowner) AS owner, c.relrowsecurity AS row_security,
             c.relforcerowsecurity AS force_row_security, c.reloptions AS options,
             ${acl("coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::\"char\", c.relowner))")}
               AS privileges,
             obj_description(c.oid, 'pg_class') AS comment
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${OUR_SCHEMAS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
      ORDER BY 1`
  },
  columns: {
    text: `
      SELECT n.nspname || '.' || c.relname AS relation, a.attname AS name,
             row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum) AS position,
             format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
             pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity AS identity,
             a.attgenerated AS generated, a.attstorage AS storage, co.collname AS collation,
             ${acl("a.attacl")} AS privileges,
             col_description(c.oid, a.attnum) AS comment
      FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 0
      WHERE ${OUR_SCHEMAS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
        AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY 1, 3`
  },
  constraints: {
    text: `
      SELECT n.nspname || '.' || coalesce(c.relname, t.typname) AS owner_object, k.conname AS name,
             k.contype AS type, pg_get_constraintdef(k.oid) AS definition
      FROM pg_constraint k
        JOIN pg_namespace n ON n.oid = k.connamespace
        LEFT JOIN pg_class c ON c.oid = k.conrelid
        LEFT JOIN pg_type t ON t.oid = k.contypid
      WHERE ${OUR_SCHEMAS}
      ORDER BY 1, 2`
  },
  indexes: {
    text: `
      SELECT schemaname || '.' || indexname AS name, tablename AS "table", indexdef AS definition
      FROM pg_indexes
      WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      ORDER BY 1`
  },
  sequences: {
    text: `
      SELECT n.nspname || '.' || c.relname AS name, format_type(s.seqtypid, NULL) AS type,
             s.seqstart AS start, s.seqincrement AS increment, s.seqmax AS max, s.seqmin AS min,
             s.seqcache AS cache, s.seqcycle AS cycle,
             (SELECT tn.nspname || '.' || tc.relname || '.' || ta.attname
              FROM pg_depend dep
                JOIN pg_class tc ON tc.oid = dep.refobjid
                JOIN pg_namespace tn ON tn.oid = tc.relnamespace
                JOIN pg_attribute ta ON ta.attrelid = dep.refobjid AND ta.attnum = dep.refobjsubid
              WHERE dep.classid = 'pg_class'::regclass AND dep.objid = c.oid
                AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')) AS owned_by
      FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${OUR_SCHEMAS}
      ORDER BY 1`
  },
  triggers: {
    text: `
      SELECT n.nspname || '.' || c.relname AS "table", t.tgname AS name, t.tgenabled AS enabled,
             pg_get_triggerdef(t.oid) AS definition
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${OUR_SCHEMAS} AND NOT t.tgisinternal
      ORDER BY 1, 2`
  },
  functions: {
    text: `
      SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS name,
             p.prokind AS kind, pg_get_userbyid(p.proowner) AS owner, p.prosecdef AS security_definer,
             p.proconfig AS config, pg_get_functiondef(p.oid) AS definition,
             ${acl("coalesce(p.proacl, acldefault('f', p.proowner))")} AS privileges,
             obj_description(p.oid, 'pg_proc') AS comment
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE ${OUR_SCHEMAS} AND p.prokind IN ('f', 'p')
      ORDER BY 1`
  },
  types: {
    text: `
      SELECT n.nspname || '.' || t.typname AS name, t.typtype AS kind,
             format_type(t.typbasetype, t.typtypmod) AS base,
             (SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE ${OUR_SCHEMAS} AND t.typtype IN ('d', 'e', 'r', 'm')
      ORDER BY 1`
  },
  policies: {
    text: `SELECT schemaname || '.' || tablename AS "table", policyname AS name, permissive, roles, cmd, qual, with_check
           FROM pg_policies ORDER BY 1, 2`
  },
  rules: {
    text: `SELECT schemaname || '.' || tablename AS "table", rulename AS name, definition
           FROM pg_rules WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`
  },
  extensions: {
    text: `SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema
           FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace ORDER BY 1`
  },
  defaultPrivileges: {
    text: `SELECT pg_get_userbyid(d.defaclrole) AS role, n.nspname AS schema, d.defaclobjtype AS kind,
                  ${acl("d.defaclacl")} AS privileges
           FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace ORDER BY 1, 2, 3`
  },
  eventTriggers: {
    text: `SELECT evtname AS name, evtevent AS event, evtenabled AS enabled, evttags AS tags
           FROM pg_event_trigger ORDER BY 1`
  },
  roles: {
    text: `
      SELECT r.rolname AS name, r.rolsuper AS superuser, r.rolinherit AS inherit, r.rolcreaterole AS create_role,
             r.rolcreatedb AS create_db, r.rolcanlogin AS login, r.rolreplication AS replication,
             r.rolbypassrls AS bypass_rls, r.rolconnlimit AS connection_limit
      FROM pg_roles r WHERE r.rolname = ANY($1::text[]) ORDER BY 1`,
    values: [roles]
  },
  memberships: {
    // inherit_option and set_option exist from PostgreSQL 16 on.
    text: `
      SELECT pg_get_userbyid(m.roleid) AS role, pg_get_userbyid(m.member) AS member,
             pg_get_userbyid(m.grantor) AS grantor, m.admin_option AS admin
             ${version >= 160000 ? ", m.inherit_option AS inherit, m.set_option AS set" : ""}
      FROM pg_auth_members m
      WHERE pg_get_userbyid(m.roleid) = ANY($1::text[]) OR pg_get_userbyid(m.member) = ANY($1::text[])
      ORDER BY 1, 2, 3`,
    values: [roles]
  }
})

/**
 * The catalog of the database at `url` (a superuser or owner connection),
 * with the given cluster-wide roles (default: app_user and audit_writer).
 */
export const catalogSnapshot = async (
  url: string,
  roles: ReadonlyArray<string> = ["app_user", "audit_writer"]
): Promise<CatalogSnapshot> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const version = Number((await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]?.v)
    const snapshot: Record<string, ReadonlyArray<unknown>> = {}
    for (const [section, query] of Object.entries(queries(roles, version))) {
      snapshot[section] = (await client.query(query.text, query.values)).rows
    }
    return snapshot
  } finally {
    await client.end()
  }
}
