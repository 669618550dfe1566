/**
 * `migrate up | down | status`: the Migrator of adapters-pg, run as the
 * owner, with output for operators (and `--json` for scripts).
 */
import { formatVersion } from "@loan-ledger/adapters-pg/MigrationErrors"
import { type MigrationRun, Migrator } from "@loan-ledger/adapters-pg/Migrator"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

const report = (run: MigrationRun) =>
  Effect.gen(function*() {
    for (const ref of run.migrations) yield* Console.log(`${run.direction === "up" ? "applied" : "undid"}   ${ref.migration}`)
    yield* Console.log(
      run.migrations.length === 0
        ? `nothing to do; the database is at version ${formatVersion(run.version)}`
        : `the database is at version ${formatVersion(run.version)}`
    )
  })

export const up = (to: Option.Option<number>) =>
  Migrator.up(Option.match(to, { onNone: () => ({}), onSome: (version) => ({ to: version }) })).pipe(Effect.flatMap(report))

export const down = (steps: number) => Migrator.down({ steps }).pipe(Effect.flatMap(report))

export const status = (options: { readonly json: boolean }) =>
  Effect.gen(function*() {
    const current = yield* Migrator.status
    if (options.json) {
      return yield* Console.log(JSON.stringify({
        version: current.version,
        migrations: current.migrations.map((m) => ({
          version: m.version,
          name: m.migration,
          state: m.state,
          appliedAt: m.appliedAt === null ? null : m.appliedAt.toISOString()
        }))
      }))
    }
    for (const m of current.migrations) {
      const when = m.appliedAt === null ? "" : `  ${m.appliedAt.toISOString()}`
      yield* Console.log(`${m.state.padEnd(12)} ${m.migration}${when}`)
    }
    yield* Console.log(`version ${formatVersion(current.version)}`)
  })
