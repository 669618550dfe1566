/** The vocabularies that stand between client input and what responses and logs say. */
import { HttpApiDecodeError } from "@effect/platform/HttpApiError"
import { describe, expect, it } from "vitest"
import { tidy } from "../src/FieldProblems.js"
import { scrub } from "../src/Logging.js"
import { described, fieldProblems } from "../src/ParameterIssues.js"
import { safeInstance } from "../src/ProblemRenderer.js"
import * as Schema from "effect/Schema"

describe("FieldProblems.tidy", () => {
  it("folds a union's per-member messages into one", () => {
    expect(
      tidy([
        { field: "role", message: 'must be "loan_officer"' },
        { field: "role", message: 'must be "reviewer"' },
        { field: "days", message: "must be a whole number of days from 1 to 365" },
        { field: "days", message: "must be undefined" },
        { field: "days", message: "must be a whole number of days from 1 to 365" }
      ])
    ).toEqual([
      { field: "role", message: 'must be one of "loan_officer", "reviewer"' },
      { field: "days", message: "must be a whole number of days from 1 to 365" }
    ])
  })
})

describe("ParameterIssues.fieldProblems", () => {
  it("shows declared messages only, never the formatter's text", () => {
    described(Schema.String, "must be a sample")
    const error = new HttpApiDecodeError({
      message: "ignored",
      issues: [
        { _tag: "Type", path: ["limit"], message: 'Expected undefined, actual "900-12-3456"' },
        { _tag: "Refinement", path: ["limit"], message: "must be a sample" },
        { _tag: "Type", path: ["cursor"], message: 'Expected a string, actual "secret"' },
        { _tag: "Missing", path: ["id"], message: "is missing" },
        { _tag: "Unexpected", path: ["x"], message: 'Unexpected "y"' }
      ]
    })
    expect(fieldProblems(error)).toEqual([
      { field: "limit", message: "must be a sample" },
      { field: "cursor", message: "is not valid" },
      { field: "id", message: "is required" },
      { field: "x", message: "is not an allowed parameter" }
    ])
  })
})

describe("ProblemRenderer.safeInstance", () => {
  it("keeps the API's words and UUIDs, masks everything else", () => {
    const words = new Set(["v1", "applications", "documents"])
    expect(safeInstance("/v1/applications/6f1c8a36-8f1e-4c7e-9f0e-0d8f5a4c1b2a/documents?x=1", words)).toBe(
      "/v1/applications/6f1c8a36-8f1e-4c7e-9f0e-0d8f5a4c1b2a/documents"
    )
    expect(safeInstance("/v1/applications/900-12-3456", words)).toBe("/v1/applications/*")
    expect(safeInstance("/etc/passwd", words)).toBe("/*/*")
  })
})

describe("Logging.scrub", () => {
  it("removes SSNs, API keys and bearer credentials from a line", () => {
    const key = `ak_rv_${"A".repeat(43)}`
    expect(scrub(`{"m":"ssn 900-12-3456 key ${key} auth Bearer reviewer:${key}"}`)).toBe(
      '{"m":"ssn ***-**-**** key ak_rv_[REDACTED] auth Bearer [REDACTED]"}'
    )
  })
})
