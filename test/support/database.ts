/**
 * Per-test-file databases: a fresh copy of the migrated template (fast: a
 * file-level copy inside PostgreSQL), or an empty database for migration tests.
 */
import * as Crypto from "node:crypto"
import { inject } from "vitest"
import { quoteIdent, withClient, withCredentials, withDatabase } from "./template.js"

export interface TestDatabase {
  readonly name: string
  /** Superuser of the test cluster, connected to this database (owner rights). */
  readonly adminUrl: string
  /** The runtime role (`app_user`), connected to this database. */
  readonly appUrl: string
  readonly appRole: string
  readonly drop: () => Promise<void>
}

export const clusterAdminUrl = () => inject("pg").adminUrl

/** Whether the run's PostgreSQL can be stopped and started again (embedded only). */
export const clusterKind = () => inject("pg").kind

export const createTestDatabase = async (options: { readonly migrated?: boolean } = {}): Promise<TestDatabase> => {
  const pg = inject("pg")
  const name = `${pg.runPrefix}${Crypto.randomBytes(5).toString("hex")}`
  const template = options.migrated === false ? "template0" : pg.templateDatabase
  await withClient(pg.adminUrl, (client) =>
    client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)} ENCODING 'UTF8'`)
  )
  const adminUrl = withDatabase(pg.adminUrl, name)
  return {
    name,
    adminUrl,
    appUrl: withCredentials(adminUrl, pg.appRole, pg.appRolePassword),
    appRole: pg.appRole,
    drop: () => withClient(pg.adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)).then(() => undefined)
  }
}
