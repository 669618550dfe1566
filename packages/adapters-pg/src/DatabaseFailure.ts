/**
 * A database error as the rest of the system may see it. The ports declare
 * no database errors (a broken database is not something a caller can
 * react to), so adapters turn `SqlError` into this defect.
 *
 * It keeps the SQLSTATE and the names PostgreSQL reports (constraint, table,
 * column) and drops the server's text: `detail` of a CHECK violation prints
 * the whole failing row (borrower names, SSN last four, ciphertexts), and the
 * message of an invalid input quotes the value. A log line or a 500 built
 * from this can therefore never carry PII, whoever writes it later.
 */
import { SqlError } from "@effect/sql/SqlError"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/** SQLSTATE 55P03: `lock_timeout` expired (advisory lock or row lock). */
export const LOCK_NOT_AVAILABLE = "55P03"

export class DatabaseFailure extends Schema.TaggedError<DatabaseFailure>()("DatabaseFailure", {
  /** What the adapter was doing, in its own words ("insert loan application"). */
  operation: Schema.String,
  /** SQLSTATE, or the driver's error code (ECONNREFUSED, ...) when the server never answered. */
  code: Schema.optional(Schema.String),
  constraint: Schema.optional(Schema.String),
  table: Schema.optional(Schema.String),
  column: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const where = [
      this.code === undefined ? undefined : `code ${this.code}`,
      this.table === undefined ? undefined : `table ${this.table}`,
      this.column === undefined ? undefined : `column ${this.column}`,
      this.constraint === undefined ? undefined : `constraint ${this.constraint}`
    ].filter(Predicate.isNotUndefined)
    return `database error during ${this.operation}${where.length === 0 ? "" : ` (${where.join(", ")})`}`
  }
}

const stringField = (value: unknown, key: string): string | undefined => {
  if (!Predicate.isRecord(value)) return undefined
  const field = value[key]
  return typeof field === "string" && field !== "" ? field : undefined
}

/** The driver error inside an SqlError (pg's DatabaseError, or a socket error). */
const driverError = (error: unknown): unknown => (error instanceof SqlError ? error.cause : error)

/** Only the fields that name things, never the ones that quote values. */
export const fromError = (operation: string, error: unknown): DatabaseFailure => {
  const cause = driverError(error)
  const named = (key: "code" | "constraint" | "table" | "column") => {
    const value = stringField(cause, key)
    return value === undefined ? {} : { [key]: value }
  }
  return new DatabaseFailure({
    operation,
    ...named("code"),
    ...named("constraint"),
    ...named("table"),
    ...named("column")
  })
}

/** Runs a statement; a failure becomes a `DatabaseFailure` defect. */
export const orDie = (operation: string) => <A, R>(effect: Effect.Effect<A, SqlError, R>): Effect.Effect<A, never, R> =>
  Effect.catchAll(effect, (error) => Effect.die(fromError(operation, error)))

/** The first `DatabaseFailure` among the failures and defects of a cause. */
export const find = <E>(cause: Cause.Cause<E>): Option.Option<DatabaseFailure> =>
  Cause.find(cause, (reason) => {
    if (reason._tag === "Die" && reason.defect instanceof DatabaseFailure) return Option.some(reason.defect)
    if (reason._tag === "Fail" && reason.error instanceof DatabaseFailure) return Option.some(reason.error)
    return Option.none()
  })

export const isLockTimeout = (failure: DatabaseFailure): boolean => failure.code === LOCK_NOT_AVAILABLE
