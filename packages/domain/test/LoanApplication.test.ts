import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { LoanApplication, Validation } from "../src/index.js"

const decode = (input: unknown) =>
  Effect.runSync(Effect.either(Validation.decodeUnknown(LoanApplication.CreateApplicationRequest)(input)))

const valid = {
  borrowerName: "Test Borrower",
  ssn: "900-12-3456",
  loanAmount: "250000.00",
  annualIncome: "98000.50",
  monthlyDebts: "1250.00",
  propertyValue: "400000.00",
  loanTermMonths: 360,
  interestRate: "6.875",
  propertyAddress: { street: "1 Test Way", city: "Springfield", state: "IL", zip: "62701" }
}

describe("CreateApplicationRequest", () => {
  it("decodes PII straight into Redacted values", () => {
    const result = decode({ ...valid, ssn: "900-12-3456", accountNumbers: ["12345678"], governmentId: "X1" })
    expect(Either.isRight(result)).toBe(true)
    if (Either.isRight(result)) {
      expect(String(result.right.ssn)).toBe("<redacted>")
      expect(JSON.stringify(result.right, (_, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain("900")
      expect(result.right.loanAmount).toBe(25_000_000n)
    }
  })

  it("names each bad field and never quotes a value", () => {
    const secret = "12-3456-789"
    const result = decode({
      ...valid,
      ssn: secret,
      loanAmount: "1e5",
      accountNumbers: Array.from({ length: 11 }, () => "DE8937040044053201300099"),
      governmentId: "G".repeat(201),
      borrowerName: "",
      unexpected: "field"
    })
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      const fields = result.left.issues.map((i) => i.field)
      expect(fields).toEqual(expect.arrayContaining(["ssn", "loanAmount", "accountNumbers", "governmentId", "borrowerName", "unexpected"]))
      const shown = JSON.stringify(result.left) + result.left.message
      for (const value of [secret, "1e5", "DE893704", "GGGGGG"]) expect(shown).not.toContain(value)
    }
  })

  it("takes the SSN only as NNN-NN-NNNN and the address as a US state and ZIP code", () => {
    const cases: ReadonlyArray<[Record<string, unknown>, string]> = [
      [{ ssn: "900123456" }, "ssn"],
      [{ ssn: "900-12-345" }, "ssn"],
      [{ propertyAddress: { ...valid.propertyAddress, state: "Illinois" } }, "propertyAddress.state"],
      [{ propertyAddress: { ...valid.propertyAddress, state: "il" } }, "propertyAddress.state"],
      [{ propertyAddress: { ...valid.propertyAddress, zip: "6270" } }, "propertyAddress.zip"],
      [{ propertyAddress: { ...valid.propertyAddress, zip: "62701-12" } }, "propertyAddress.zip"]
    ]
    for (const [override, field] of cases) {
      const result = decode({ ...valid, ...override })
      expect(Either.isLeft(result) && result.left.issues.map((i) => i.field)).toEqual([field])
    }
    expect(Either.isRight(decode({ ...valid, propertyAddress: { ...valid.propertyAddress, zip: "62701-1234" } }))).toBe(true)
  })

  it("requires every amount, the rate and the address", () => {
    for (const field of ["monthlyDebts", "propertyValue", "interestRate", "propertyAddress"]) {
      const { [field as keyof typeof valid]: _omitted, ...rest } = valid
      const result = decode(rest)
      expect(Either.isLeft(result) && result.left.issues.map((i) => i.field)).toEqual([field])
    }
  })

  it("rejects a loan amount of zero and money as a JSON number", () => {
    for (const loanAmount of ["0.00", 250000]) {
      const result = decode({ ...valid, loanAmount })
      expect(Either.isLeft(result) && result.left.issues[0].field).toBe("loanAmount")
    }
  })
})

describe("type errors", () => {
  it.each([
    [{ propertyAddress: null }, "propertyAddress", "must be an object"],
    [{ accountNumbers: "123" }, "accountNumbers", "must be an array"],
    [{ loanTermMonths: "360" }, "loanTermMonths", "must be a number"]
  ])("names the expected kind for %o without the schema's internals", (override, field, message) => {
    const result = decode({ ...valid, ...override })
    expect(Either.isLeft(result) && result.left.issues).toEqual([{ field, message }])
  })

  it("answers a body that is not an object in plain words", () => {
    for (const body of [[], null, "x"]) {
      const result = decode(body)
      expect(Either.isLeft(result) && result.left.issues.map((i) => i.message)).toEqual(["must be an object"])
    }
  })
})
