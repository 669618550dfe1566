/**
 * The life of the cluster-wide audit_writer role, on a PostgreSQL cluster of
 * this file's own: in the shared test cluster the migrated template database
 * always uses audit_writer, so neither its creation nor its removal could be
 * seen there. Roles start out absent here, as on a fresh installation.
 */
import * as EmbeddedPostgres from "@loan-ledger/adapters-pg/EmbeddedPostgres"
import { Migrator } from "@loan-ledger/adapters-pg/Migrator"
import { PgClient } from "@effect/sql-pg"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, layer } from "@effect/vitest"
import { Context, Effect, Layer, Redacted } from "effect"
import * as Crypto from "node:crypto"
import { migratorLayer } from "./support/migrator.js"

const APP_ROLE = "app_user"
const APP_PASSWORD = "private-cluster-test-password"

class PrivateCluster extends Context.Tag("test/PrivateCluster")<PrivateCluster, {
  /** A superuser URL to `database`. */
  readonly url: (database: string) => string
}>() {}

const PrivateClusterLive = Layer.scoped(
  PrivateCluster,
  Effect.map(
    EmbeddedPostgres.start({
      dataDir: EmbeddedPostgres.ephemeralDataDir("migrations"),
      ephemeral: true,
      fast: true,
      superuserPassword: Redacted.make(Crypto.randomBytes(18).toString("base64url"))
    }),
    (cluster) => ({ url: (database: string) => Redacted.value(cluster.url(database)) })
  )
)

const withSql = <A, E>(url: string, effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
  Effect.scoped(Effect.flatMap(Layer.build(PgClient.layer({ url: Redacted.make(url) })), (context) =>
    Effect.provide(effect, context)))

const asRuntimeRole = (url: string) => {
  const parsed = new URL(url)
  parsed.username = APP_ROLE
  parsed.password = APP_PASSWORD
  return parsed.toString()
}

const createDatabase = (name: string) =>
  Effect.flatMap(PrivateCluster, (cluster) =>
    withSql(cluster.url("postgres"), Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`CREATE DATABASE ${name}`))))

const migrate = <A, E>(database: string, effect: Effect.Effect<A, E, Migrator>) =>
  Effect.flatMap(PrivateCluster, (cluster) =>
    Effect.provide(
      effect,
      migratorLayer(cluster.url(database), { appRole: APP_ROLE })
    ))

/** The shared roles as the cluster sees them. */
const roles = Effect.flatMap(PrivateCluster, (cluster) =>
  withSql(cluster.url("postgres"), Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ audit_writer: boolean; app_user: boolean; member: boolean }>`
      SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = 'audit_writer') AS audit_writer,
             EXISTS (SELECT FROM pg_roles WHERE rolname = ${APP_ROLE}) AS app_user,
             EXISTS (SELECT FROM pg_auth_members m
                     WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = 'audit_writer')
                       AND m.member = (SELECT oid FROM pg_roles WHERE rolname = ${APP_ROLE})) AS member`
  ))).pipe(Effect.map((rows) => rows[0]))

/** The runtime role's audited write in `database`: SET LOCAL ROLE audit_writer, INSERT. */
const auditedInsert = (database: string) =>
  Effect.flatMap(PrivateCluster, (cluster) =>
    withSql(asRuntimeRole(cluster.url(database)), Effect.flatMap(SqlClient.SqlClient, (sql) =>
      sql.withTransaction(Effect.gen(function*() {
        yield* sql`SET LOCAL ROLE audit_writer`
        yield* sql`
          INSERT INTO audit_events (event_type, actor_id, actor_type, prev_event_hash)
          VALUES ('maintenance', 'private-cluster-test', 'system', ${"0".repeat(64)})`
      })))))

const giveRuntimeRoleLogin = Effect.flatMap(PrivateCluster, (cluster) =>
  withSql(cluster.url("postgres"), Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.unsafe(`ALTER ROLE ${APP_ROLE} LOGIN PASSWORD '${APP_PASSWORD}'`))))

describe("audit_writer on a cluster of its own", () => {
  layer(PrivateClusterLive, { timeout: 120_000, excludeTestServices: true })((it) => {
    it.effect("is created by the first database to need it and dropped with the last one", () =>
      Effect.gen(function*() {
        expect(yield* roles).toEqual({ audit_writer: false, app_user: false, member: false })
        yield* createDatabase("life_a")
        yield* createDatabase("life_b")

        // Both at once: whichever creates a role first, the other finds it done.
        yield* Effect.all([migrate("life_a", Migrator.up()), migrate("life_b", Migrator.up())], {
          concurrency: "unbounded"
        })
        expect(yield* roles).toEqual({ audit_writer: true, app_user: true, member: true })
        yield* giveRuntimeRoleLogin
        yield* auditedInsert("life_a")
        yield* auditedInsert("life_b")

        yield* migrate("life_a", Migrator.down({ steps: 8 }))
        expect(yield* roles).toEqual({ audit_writer: true, app_user: true, member: true })
        yield* auditedInsert("life_b")

        // The last user goes: audit_writer (and with it the membership) goes too;
        // the runtime role stays.
        yield* migrate("life_b", Migrator.down({ steps: 8 }))
        expect(yield* roles).toEqual({ audit_writer: false, app_user: true, member: false })

        yield* migrate("life_a", Migrator.up())
        expect(yield* roles).toEqual({ audit_writer: true, app_user: true, member: true })
        yield* auditedInsert("life_a")
        yield* migrate("life_a", Migrator.down({ steps: 8 }))
        expect(yield* roles).toEqual({ audit_writer: false, app_user: true, member: false })
      }))

    it.effect("survives one database going down while another comes up, again and again", () =>
      Effect.gen(function*() {
        yield* createDatabase("race_a")
        yield* createDatabase("race_b")
        yield* migrate("race_a", Migrator.up())
        yield* giveRuntimeRoleLogin
        let up = "race_b"
        let down = "race_a"
        for (let round = 0; round < 6; round++) {
          yield* Effect.all([migrate(up, Migrator.up()), migrate(down, Migrator.down({ steps: 8 }))], {
            concurrency: "unbounded"
          })
          // Whatever the interleaving, the migrated database keeps a working audit path.
          expect(yield* roles).toEqual({ audit_writer: true, app_user: true, member: true })
          yield* auditedInsert(up)
          ;[up, down] = [down, up]
        }
      }))
  })
})
