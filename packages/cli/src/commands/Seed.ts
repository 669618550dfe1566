/**
 * `seed` and `seed --remove`. Plaintext keys are printed exactly once, right
 * after the transaction that created them commits (a later failure cannot
 * swallow them); a second run prints none.
 */
import * as DatabaseConfig from "@loan-ledger/adapters-pg/DatabaseConfig"
import * as DatabaseFailure from "@loan-ledger/adapters-pg/DatabaseFailure"
import * as ApiKeyRecord from "@loan-ledger/domain/ApiKeyRecord"
import * as Timestamp from "@loan-ledger/domain/Timestamp"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { UsageError } from "../CliError.js"
import * as Operator from "../Operator.js"
import * as Seeder from "../seed/Seeder.js"

const refuseInProduction = (what: string) =>
  Effect.flatMap(DatabaseConfig.environment, (environment) =>
    environment === "production"
      ? new UsageError({ message: `${what} refuses to run with ENVIRONMENT=production (seed data is for development only)` })
      : Effect.void)

/**
 * The seed writes as the owner: restoring thresholds and removing chains are
 * beyond the runtime role, by design. Pointed at the runtime role (no
 * DATABASE_ADMIN_URL in development), say what to set instead of a bare
 * "permission denied".
 */
const needsOwner = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.catchSomeDefect(effect, (defect) =>
    defect instanceof DatabaseFailure.DatabaseFailure && defect.code === "42501"
      ? Option.some(Effect.fail(
        new UsageError({
          message: `permission denied during ${defect.operation}: seed runs as the database owner; ` +
            "set DATABASE_ADMIN_URL to the owner's connection (one that may also SET ROLE audit_writer)"
        })
      ))
      : Option.none())

const reportKeys = (outcomes: ReadonlyArray<Seeder.KeyOutcome>) =>
  Effect.gen(function*() {
    const created = outcomes.filter((o) => o._tag === "Created")
    if (created.length > 0) {
      yield* Console.log("seed: API keys, shown this once (store them now; they expire in 24 hours):")
      for (const o of created) {
        yield* Console.log(`  ${o.record.role.padEnd(18)}  ${Redacted.value(o.key)}  id ${o.record.id}  ${o.record.description ?? ""}`)
      }
    }
    const now = yield* Timestamp.now
    let unusable = 0
    for (const o of outcomes) {
      if (o._tag !== "Present" || ApiKeyRecord.isUsable(o.record, now)) continue
      unusable++
      const why = o.record.isActive ? `expired at ${o.record.expiresAt}` : "is deactivated"
      yield* Console.log(
        `seed: seed key ${o.record.id} (${o.record.description ?? o.record.role}) ${why}; ` +
          `it is not replaced. Create a new key with: loan-ledger keys create --role ${o.record.role}`
      )
    }
    if (created.length === 0 && unusable === 0) {
      yield* Console.log("seed: the seed keys exist already (their plaintext was shown once, when they were created)")
    }
  })

export const seed = needsOwner(Effect.gen(function*() {
  yield* refuseInProduction("seed")
  const operator = yield* Operator.current
  // First, and owner-only: on a connection that is not the owner's, the seed stops before writing anything.
  const restored = yield* Seeder.restoreThresholds
  if (restored.length > 0) yield* Console.log(`seed: restored confidence thresholds: ${restored.join(", ")}`)
  yield* reportKeys(yield* Seeder.seedKeys(operator))
  const apps = yield* Seeder.seedApplications
  yield* Console.log(
    apps.created === 0
      ? `seed: all ${apps.present} seed applications are present; nothing changed`
      : `seed: created ${apps.created} applications (${apps.documents} documents, ${apps.events} audit events)` +
        (apps.present > 0 ? `; ${apps.present} were present already` : "")
  )
}))

export const remove = needsOwner(Effect.gen(function*() {
  yield* refuseInProduction("seed --remove")
  const removed = yield* Seeder.remove(yield* Operator.current)
  yield* Option.match(removed, {
    onNone: () => Console.log("seed --remove: no seed data left; nothing changed"),
    onSome: (r) =>
      Console.log(
        `seed --remove: deleted ${r.applications} applications, ${r.documents} documents, ` +
          `${r.auditEvents} audit events of their chains; deactivated ${r.keysDeactivated.length} seed keys; ` +
          "recorded as a maintenance event on the system chain"
      )
  })
}))
