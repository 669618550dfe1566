import * as HelpDoc from "@effect/cli/HelpDoc"
import * as CliValidationError from "@effect/cli/ValidationError"
import { SqlError } from "@effect/sql/SqlError"
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import { describe, expect, it } from "vitest"
import { ChainsBroken, RuntimeFailure, UsageError } from "../src/CliError.js"
import * as ExitStatus from "../src/ExitStatus.js"

const outcome = (cause: Cause.Cause<unknown>) => {
  const o = ExitStatus.fromCause(cause)
  return { code: o.code, line: Option.getOrNull(o.line) }
}

describe("ExitStatus", () => {
  it("maps the CLI's own errors to the contract's codes", () => {
    expect(outcome(Cause.fail(new ChainsBroken({ broken: 1, total: 3 })))).toEqual({
      code: 1,
      line: "loan-ledger: 1 of 3 audit chain(s) failed verification"
    })
    expect(outcome(Cause.fail(new UsageError({ message: "bad" })))).toEqual({ code: 2, line: "loan-ledger: bad" })
    expect(outcome(Cause.fail(new RuntimeFailure({ message: "down" })))).toEqual({ code: 3, line: "loan-ledger: down" })
  })

  it("turns @effect/cli usage errors (exit 1 by default) into one plain line and exit 2", () => {
    const error = CliValidationError.missingValue(HelpDoc.p("Expected to find option: '--role'"))
    expect(outcome(Cause.fail(error))).toEqual({ code: 2, line: "loan-ledger: Expected to find option: '--role'" })
  })

  it("treats --help as success", () => {
    const help = CliValidationError.helpRequested(undefined as never)
    expect(outcome(Cause.fail(help)).code).toBe(0)
  })

  it("names the setting of a configuration error but never echoes its value", () => {
    const error = ConfigError.InvalidData(["ENCRYPTION_KEY_ID"], "Expected an integer value but received s3cr3t-value")
    expect(outcome(Cause.fail(error))).toEqual({
      code: 2,
      line: "loan-ledger: configuration error: ENCRYPTION_KEY_ID: Expected an integer value"
    })
  })

  it("keeps values out of database errors: quoted values, URL passwords, SSNs, API keys", () => {
    const pgError = Object.assign(new Error("invalid input syntax for type uuid: \"123-45-6789 John\""), { code: "22P02" })
    const line = outcome(Cause.fail(new SqlError({ message: "Failed to execute statement", cause: pgError }))).line!
    expect(line).toBe(
      "loan-ledger: database error: Failed to execute statement: invalid input syntax for type uuid: \"[REDACTED]\" (SQLSTATE 22P02)"
    )
    const url = outcome(Cause.fail(new RuntimeFailure({ message: "cannot reach postgres://owner:hunter2@db:5432/x" }))).line!
    expect(url).not.toContain("hunter2")
    const ssn = outcome(Cause.fail(new RuntimeFailure({ message: "value 900-12-3401 refused" }))).line!
    expect(ssn).not.toContain("900-12-3401")
    const key = outcome(Cause.fail(new RuntimeFailure({ message: `bad ak_rv_${"A".repeat(43)}` }))).line!
    expect(key).not.toContain("AAAAAAAAAA")
  })

  it("keeps identifiers and paths readable", () => {
    const line = outcome(Cause.fail(new RuntimeFailure({ message: "relation \"audit_events\" in \"/var/tmp/x\"" }))).line
    expect(line).toBe("loan-ledger: relation \"audit_events\" in \"/var/tmp/x\"")
  })

  it("reports defects in one line without a stack, tagged ones by their own message", () => {
    const tagged = Object.assign(new Error("database error during insert (code 23505)"), { _tag: "DatabaseFailure" })
    expect(outcome(Cause.die(tagged))).toEqual({ code: 3, line: "loan-ledger: database error during insert (code 23505)" })
    const bug = new TypeError("x is undefined")
    expect(outcome(Cause.die(bug))).toEqual({ code: 3, line: "loan-ledger: internal error: x is undefined" })
  })

  it("reports an interruption of a one-shot command as 130", () => {
    expect(outcome(Cause.interrupt(FiberId.none))).toEqual({ code: 130, line: "loan-ledger: interrupted" })
  })

  it("writes every message on a single line", () => {
    const line = outcome(Cause.fail(new RuntimeFailure({ message: "first\nsecond\r\n\tthird" }))).line!
    expect(line).toBe("loan-ledger: first second third")
  })
})
