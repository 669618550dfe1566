/**
 * Database names of a test run, the migrated template they are copied from,
 * and their removal.
 */
import * as Crypto from "node:crypto"
import * as Os from "node:os"
import pg from "pg"
import { migrateToLatest } from "./migrate.js"

/** The runtime role every test database of the cluster shares (roles are cluster-wide). */
export const APP_ROLE = "app_user"
/** Test-only credential of the runtime role; the cluster lives for one run. */
export const APP_ROLE_PASSWORD = "app-user-test-password"

const hostTag = Crypto.createHash("sha256").update(Os.hostname()).digest("hex").slice(0, 6)

/** `ll_<host>_<pid>_<random>_`: lets a later run recognise databases of a dead run on this machine. */
export const runPrefix = () => `ll_${hostTag}_${process.pid}_${Crypto.randomBytes(3).toString("hex")}_`

export const withDatabase = (url: string, database: string) => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

export const withCredentials = (url: string, user: string, password: string) => {
  const parsed = new URL(url)
  parsed.username = encodeURIComponent(user)
  parsed.password = encodeURIComponent(password)
  return parsed.toString()
}

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`

export const withClient = async <A>(url: string, f: (client: pg.Client) => Promise<A>): Promise<A> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await f(client)
  } finally {
    await client.end()
  }
}

const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (cause) {
    return (cause as NodeJS.ErrnoException).code === "EPERM"
  }
}

const dropDatabase = (client: pg.Client, name: string) =>
  client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)

export const dropRunDatabases = (adminUrl: string, prefix: string) =>
  withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
      [prefix]
    )
    for (const { datname } of rows) {
      await client.query(`ALTER DATABASE ${quoteIdent(datname)} IS_TEMPLATE false`).catch(() => undefined)
      await dropDatabase(client, datname)
    }
  })

/** Databases of earlier runs on this machine whose process is gone (interrupted runs). */
export const dropStaleRunDatabases = (adminUrl: string) =>
  withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
      [`ll_${hostTag}_`]
    )
    for (const { datname } of rows) {
      const pid = Number(datname.split("_")[2])
      if (Number.isInteger(pid) && !processAlive(pid)) {
        await client.query(`ALTER DATABASE ${quoteIdent(datname)} IS_TEMPLATE false`).catch(() => undefined)
        await dropDatabase(client, datname)
      }
    }
  })

export const buildTemplate = async (adminUrl: string, prefix: string) => {
  const name = `${prefix}template`
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0 ENCODING 'UTF8'`))
  await migrateToLatest(withDatabase(adminUrl, name), APP_ROLE)
  await withClient(adminUrl, async (client) => {
    await client.query(`ALTER ROLE ${quoteIdent(APP_ROLE)} WITH LOGIN PASSWORD '${APP_ROLE_PASSWORD}'`)
    // No session may stay connected to a template, or CREATE DATABASE ... TEMPLATE fails.
    await client.query(`ALTER DATABASE ${quoteIdent(name)} IS_TEMPLATE true ALLOW_CONNECTIONS false`)
  })
  return name
}
