/**
 * Who is at the keyboard: CLI actions are recorded in the audit trail as an
 * `operator` actor named by the OS account (an identifier, not personal
 * data), or by `LOAN_LEDGER_OPERATOR` where the account is shared.
 */
import * as Actor from "@loan-ledger/domain/Actor"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Os from "node:os"

const osAccount = () => {
  try {
    return Os.userInfo().username
  } catch {
    return "unknown"
  }
}

const NAME = /^[A-Za-z0-9._@-]{1,100}$/

export const current: Effect.Effect<Actor.Actor> = Config.string("LOAN_LEDGER_OPERATOR").pipe(
  Config.option,
  Effect.map((configured) => {
    const name = configured._tag === "Some" && NAME.test(configured.value) ? configured.value : osAccount()
    return Actor.operator(`cli:${NAME.test(name) ? name : "unknown"}`)
  }),
  Effect.orElseSucceed(() => Actor.operator(`cli:${osAccount()}`))
)
