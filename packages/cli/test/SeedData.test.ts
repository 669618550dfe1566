import * as DocumentContent from "@loan-ledger/domain/DocumentContent"
import * as LoanApplication from "@loan-ledger/domain/LoanApplication"
import { Either, Redacted, Schema } from "effect"
import { createHmac } from "node:crypto"
import { describe, expect, it } from "vitest"
import { trailOf } from "../src/seed/AuditTrail.js"
import { ratios } from "../src/seed/Ratios.js"
import * as SeedData from "../src/seed/SeedData.js"
import { render } from "../src/seed/SeedDocuments.js"

const sign = (data: string) => createHmac("sha256", "test-secret-test-secret-test-secret").update(data).digest("hex")

const expected: ReadonlyArray<readonly [string, string, string]> = [
  ["Emily Chen", "320000.00", "approved"],
  ["David Park", "275000.00", "approved"],
  ["Sarah Johnson", "450000.00", "approved"],
  ["Robert Williams", "600000.00", "denied"],
  ["Lisa Thompson", "350000.00", "denied"],
  ["Michael Brown", "500000.00", "awaiting_review"],
  ["Jennifer Davis", "280000.00", "awaiting_review"],
  ["Carlos Rodriguez", "375000.00", "awaiting_review"],
  ["Amanda Wilson", "310000.00", "processing"],
  ["Kevin Lee", "425000.00", "processing_error"],
  ["Nicole Martinez", "290000.00", "draft"],
  ["Thomas Anderson", "340000.00", "withdrawn"]
]

describe("seed data", () => {
  it("holds exactly the twelve applications of issue 5 with their amounts and statuses", () => {
    expect(SeedData.applications.map((a) => [a.borrowerName, a.loanAmount, a.status])).toEqual(expected)
  })

  it("holds the three seed keys with their roles and descriptions", () => {
    expect(SeedData.allKeys.map((k) => [k.role, k.description])).toEqual([
      ["loan_officer", "SEED - Loan Officer (Maria)"],
      ["senior_underwriter", "SEED - Senior Underwriter (James)"],
      ["reviewer", "SEED - Reviewer (Admin)"]
    ])
  })

  it("uses unique fixed UUIDs", () => {
    const ids = [
      ...SeedData.keyIds,
      ...SeedData.applicationIds,
      ...SeedData.applications.flatMap((a) => a.documents.map((d) => d.id))
    ]
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it("decodes every application through the API's request schema", () => {
    for (const app of SeedData.applications) {
      const decoded = Schema.decodeUnknownEither(LoanApplication.CreateApplicationRequest)({
        borrowerName: app.borrowerName,
        ssn: app.ssn,
        loanAmount: app.loanAmount,
        annualIncome: app.annualIncome,
        monthlyDebts: app.monthlyDebts,
        propertyValue: app.propertyValue,
        loanTermMonths: app.loanTermMonths,
        interestRate: app.interestRate,
        propertyAddress: app.propertyAddress,
        ...(app.accountNumbers === undefined ? {} : { accountNumbers: app.accountNumbers }),
        ...(app.governmentId === undefined ? {} : { governmentId: app.governmentId })
      })
      expect(Either.isRight(decoded), app.borrowerName).toBe(true)
      if (Either.isRight(decoded)) expect(Redacted.value(decoded.right.ssn)).toBe(app.ssn)
    }
  })

  it("keeps SSNs in the never-issued 900-999 area and has the large PII cases", () => {
    for (const app of SeedData.applications) expect(Number(app.ssn.slice(0, 3))).toBeGreaterThanOrEqual(900)
    expect(SeedData.applications.some((a) => a.accountNumbers?.length === 5)).toBe(true)
    expect(Math.max(...SeedData.applications.map((a) => a.governmentId?.length ?? 0))).toBeGreaterThan(150)
  })

  it("gives every non-draft application 2-3 documents that pass upload validation", () => {
    for (const app of SeedData.applications) {
      if (app.status === "draft") {
        expect(app.documents).toHaveLength(0)
        continue
      }
      expect(app.documents.length).toBeGreaterThanOrEqual(2)
      expect(app.documents.length).toBeLessThanOrEqual(3)
      for (const document of app.documents) {
        const bytes = render(document)
        expect(DocumentContent.inspect(bytes)).toEqual(Either.right(document.mediaType))
        expect(DocumentContent.sanitizeFilename(document.filename, document.mediaType)).toBe(document.filename)
      }
    }
  })

  it("renders the same bytes every time", () => {
    const document = SeedData.applications[0]!.documents[0]!
    expect(render(document)).toEqual(render(document))
  })

  it("derives a lifecycle-valid trail that ends in each application's status", () => {
    for (const app of SeedData.applications) {
      const documents = app.documents.map((d) => ({ id: d.id, mediaType: d.mediaType, sizeBytes: render(d).length, contentHmac: sign(d.id) }))
      const trail = trailOf(app, documents, sign)
      expect(Either.isRight(trail), Either.isLeft(trail) ? trail.left : app.borrowerName).toBe(true)
      if (Either.isLeft(trail)) continue
      expect(trail.right[0]!.newState).toBe("draft")
      expect(trail.right.filter((e) => e.eventType === "document_upload")).toHaveLength(app.documents.length)
      // Ratios are filled in from the application's own figures.
      for (const event of trail.right) expect(event.reasoning ?? "").not.toMatch(/\{(dti|ltv)\}/)
      // No PII value may appear anywhere in an event.
      const text = JSON.stringify(trail.right)
      for (const secret of [app.ssn, app.borrowerName, ...(app.accountNumbers ?? []), app.governmentId ?? "\u0000"]) {
        expect(text.includes(secret)).toBe(false)
      }
    }
  })
})

describe("seed ratios", () => {
  it("match each scenario: high DTI above the 43% limit, the others within it", () => {
    const byName = new Map(SeedData.applications.map((a) => [a.borrowerName, ratios(a)]))
    expect(parseFloat(byName.get("Robert Williams")!.dti)).toBeGreaterThan(43)
    for (const [name, r] of byName) if (name !== "Robert Williams") expect(parseFloat(r.dti), name).toBeLessThan(43)
    expect(byName.get("Emily Chen")).toEqual({ dti: "24.8%", ltv: "78.0%" })
  })
})
