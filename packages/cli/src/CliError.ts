/**
 * The CLI's own failures. Each one maps to an exit code of the contract
 * (ARCHITECTURE.md, Contracts): 1 a broken chain, 2 usage or configuration,
 * 3 database or other runtime error. Messages are one line, written for an
 * operator, and never carry PII or secrets.
 */
import * as Schema from "effect/Schema"

/** The command line or the configuration is wrong; nothing was attempted. Exit 2. */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String
}) {}

/** The database or the runtime failed while the command was running. Exit 3. */
export class RuntimeFailure extends Schema.TaggedError<RuntimeFailure>()("RuntimeFailure", {
  message: Schema.String
}) {}

/**
 * Verification finished and at least one chain does not hold. The per-chain
 * report has already been printed; this only carries the exit code 1.
 */
export class ChainsBroken extends Schema.TaggedError<ChainsBroken>()("ChainsBroken", {
  broken: Schema.Int,
  total: Schema.Int
}) {
  override get message(): string {
    return `${this.broken} of ${this.total} audit chain(s) failed verification`
  }
}

export type CliError = UsageError | RuntimeFailure | ChainsBroken
