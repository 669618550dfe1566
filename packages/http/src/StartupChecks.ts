/**
 * What must hold before this server may serve real borrowers
 * (ARCHITECTURE.md, Environment). With `ENVIRONMENT=production` any finding
 * refuses the start, with every reason in one message; in development the
 * same findings are logged as warnings, because the embedded default runs
 * exactly like that (seed keys, generated secrets, one database identity).
 *
 * The facts come from the configuration (through `Config`, so the embedded
 * default's ConfigProvider works too) and from the database as the runtime
 * role sees it (the adapter's `DatabaseHealth.inspectRuntimeRole`).
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as DatabaseHealth from "@loan-ledger/adapters-pg/DatabaseHealth"
import * as EmbeddedDefault from "@loan-ledger/adapters-pg/EmbeddedDefault"
import { MIN_SECRET_LENGTH } from "@loan-ledger/domain/Hmac"

export class StartupRefused extends Schema.TaggedError<StartupRefused>()("StartupRefused", {
  reasons: Schema.NonEmptyArray(Schema.String)
}) {
  override get message(): string {
    return `refusing to start in production: ${this.reasons.join("; ")}`
  }
}

export interface ConfigFacts {
  readonly environment: "development" | "production"
  readonly databaseUrl: Option.Option<Redacted.Redacted<string>>
  readonly adminUrl: Option.Option<Redacted.Redacted<string>>
  readonly encryptionKey: Option.Option<Redacted.Redacted<string>>
  readonly previousEncryptionKey: Option.Option<Redacted.Redacted<string>>
  readonly hmacSecret: Option.Option<Redacted.Redacted<string>>
  /** The Fernet key the embedded default generated in this checkout, if any. */
  readonly developmentEncryptionKey: Option.Option<string>
}

const present = (value: Option.Option<Redacted.Redacted<string>>): Option.Option<string> =>
  Option.filter(Option.map(value, Redacted.value), (v) => v.trim() !== "")

// Values people put in example files; a secret that looks like one is not a secret.
const PLACEHOLDER = /^(change[-_ ]?me|changeit|secret|password|default|development|dev|test|example|x+|0+)$/i

/** The configuration's reasons to refuse production (pure; see `check`). */
export const configProblems = (facts: ConfigFacts): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const url = present(facts.databaseUrl)
  const admin = present(facts.adminUrl)
  if (Option.isNone(url)) problems.push("DATABASE_URL is not set (the embedded default is for development only)")
  if (Option.isNone(admin)) problems.push("DATABASE_ADMIN_URL is not set")
  if (Option.isSome(url) && Option.isSome(admin) && url.value === admin.value) {
    problems.push("DATABASE_ADMIN_URL equals DATABASE_URL (the runtime role must not be the owner)")
  }
  const encryption = present(facts.encryptionKey)
  if (Option.isNone(encryption)) problems.push("ENCRYPTION_KEY is not set")
  const generated = facts.developmentEncryptionKey
  for (const [name, value] of [["ENCRYPTION_KEY", encryption], ["ENCRYPTION_KEY_PREVIOUS", present(facts.previousEncryptionKey)]] as const) {
    if (Option.isSome(value) && (PLACEHOLDER.test(value.value) || Option.contains(generated, value.value))) {
      problems.push(`${name} is a development or placeholder key`)
    }
  }
  const hmac = present(facts.hmacSecret)
  if (Option.isNone(hmac)) problems.push("HMAC_SECRET_KEY is not set")
  else if (hmac.value.startsWith(EmbeddedDefault.DEVELOPMENT_SECRET_PREFIX) || PLACEHOLDER.test(hmac.value)) {
    problems.push("HMAC_SECRET_KEY is a development or placeholder secret")
  } else if (hmac.value.length < MIN_SECRET_LENGTH) {
    problems.push(`HMAC_SECRET_KEY is shorter than ${MIN_SECRET_LENGTH} characters`)
  }
  return problems
}

export const readConfigFacts: Effect.Effect<ConfigFacts, never> = Effect.gen(function* () {
  const optional = (name: string) => Config.option(Config.redacted(name))
  const facts = yield* Config.all({
    environment: Config.literal("development", "production")("ENVIRONMENT").pipe(Config.withDefault("development" as const)),
    databaseUrl: optional("DATABASE_URL"),
    adminUrl: optional("DATABASE_ADMIN_URL"),
    encryptionKey: optional("ENCRYPTION_KEY"),
    previousEncryptionKey: optional("ENCRYPTION_KEY_PREVIOUS"),
    hmacSecret: optional("HMAC_SECRET_KEY")
  }).pipe(
    // An ENVIRONMENT that is neither value is itself a reason to be careful: treat it as production.
    Effect.catchAll(() =>
      Effect.succeed({
        environment: "production" as const,
        databaseUrl: Option.none(),
        adminUrl: Option.none(),
        encryptionKey: Option.none(),
        previousEncryptionKey: Option.none(),
        hmacSecret: Option.none()
      })
    )
  )
  const developmentEncryptionKey = yield* EmbeddedDefault.developmentEncryptionKey.pipe(
    Effect.orElseSucceed(() => Option.none<string>())
  )
  return { ...facts, developmentEncryptionKey }
})

/**
 * Runs every check; fails with StartupRefused in production when anything
 * was found, logs warnings otherwise. A database that cannot be inspected
 * is itself a finding (production must not start on assumptions).
 */
export const check: Effect.Effect<void, StartupRefused, DatabaseHealth.DatabaseHealth> = Effect.gen(function* () {
  const facts = yield* readConfigFacts
  const health = yield* DatabaseHealth.DatabaseHealth
  const roleProblems = yield* health.inspectRuntimeRole.pipe(
    Effect.map(DatabaseHealth.productionProblems),
    Effect.catchAll((e) => Effect.succeed([`the runtime role could not be inspected: ${e.reason}`]))
  )
  const problems = [...configProblems(facts), ...roleProblems]
  const [first, ...rest] = problems
  if (first === undefined) return
  if (facts.environment === "production") {
    return yield* new StartupRefused({ reasons: [first, ...rest] })
  }
  for (const problem of problems) {
    yield* Effect.logWarning(`not fit for production: ${problem}`)
  }
})
