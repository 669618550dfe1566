import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Actor, Ids, LoanApplication, Policy, Role, Timestamp } from "../src/index.js"

const officer = Actor.apiKey(Ids.newApiKeyId(), "loan_officer")
const otherOfficer = Actor.apiKey(Ids.newApiKeyId(), "loan_officer")
const underwriter = Actor.apiKey(Ids.newApiKeyId(), "senior_underwriter")
const reviewer = Actor.apiKey(Ids.newApiKeyId(), "reviewer")
const operator = Actor.operator("ops")

const application = (createdBy: Ids.ApiKeyId) =>
  LoanApplication.LoanApplication.make({
    id: Ids.newApplicationId(),
    borrowerName: "B",
    ssnEncrypted: new Uint8Array([1, 2]) as never,
    ssnLast4: "1234" as never,
    loanAmountCents: 100n as never,
    annualIncomeCents: 100n as never,
    monthlyDebtsCents: 0n as never,
    propertyValueCents: 200n as never,
    loanTermMonths: 360,
    interestRate: "6.5" as never,
    propertyAddress: { street: "s", city: "c", state: "IL", zip: "62701" },
    accountNumbersEncrypted: null,
    governmentIdEncrypted: null,
    status: "draft",
    createdBy,
    createdAt: Timestamp.fromEpochMicros(0n),
    updatedAt: Timestamp.fromEpochMicros(0n)
  })

const tagOf = <E extends { _tag: string }>(effect: Effect.Effect<unknown, E>) =>
  Effect.map(Effect.either(effect), (e) => (e._tag === "Right" ? "allowed" : e.left._tag))

describe("Policy", () => {
  it("orders roles loan_officer < senior_underwriter < reviewer", () => {
    expect(Role.all.map(Role.rank)).toEqual([1, 2, 3])
    expect(Role.atLeast("reviewer", "senior_underwriter")).toBe(true)
    expect(Role.atLeast("loan_officer", "senior_underwriter")).toBe(false)
  })

  it.effect("lets a loan officer act on its own applications and answers NotFound for others'", () =>
    Effect.gen(function*() {
      const mine = application((officer as Actor.ApiKeyActor).keyId)
      for (const permission of ["application:read", "application:submit", "application:withdraw", "application:retry", "document:upload", "document:download", "audit:read"] as const) {
        expect(yield* tagOf(Policy.authorizeApplication(officer, permission, mine)(Effect.void))).toBe("allowed")
        expect(yield* tagOf(Policy.authorizeApplication(otherOfficer, permission, mine)(Effect.void))).toBe("NotFound")
      }
    }))

  it.effect("lets senior underwriters and reviewers see and act on all applications", () =>
    Effect.gen(function*() {
      const app = application((officer as Actor.ApiKeyActor).keyId)
      for (const actor of [underwriter, reviewer]) {
        for (const permission of ["application:read", "application:submit", "application:retry", "document:download", "audit:read", "audit:record"] as const) {
          expect(yield* tagOf(Policy.authorizeApplication(actor, permission, app)(Effect.void))).toBe("allowed")
        }
      }
      expect(yield* tagOf(Policy.authorizeApplication(officer, "audit:record", app)(Effect.void))).toBe("Forbidden")
    }))

  it.effect("reserves key management and the system chain to reviewers (and operators)", () =>
    Effect.gen(function*() {
      for (const [actor, expected] of [[officer, "Forbidden"], [underwriter, "Forbidden"], [reviewer, "allowed"], [operator, "allowed"]] as const) {
        expect(yield* tagOf(Policy.authorize(actor, "key:manage")(Effect.void))).toBe(expected)
        expect(yield* tagOf(Policy.authorize(actor, "audit:read-system")(Effect.void))).toBe(expected)
      }
      const denied = yield* Effect.flip(Policy.authorize(officer, "key:manage")(Effect.void))
      expect(denied).toMatchObject({ _tag: "Forbidden", action: "key:manage", requiredRole: "reviewer" })
    }))

  it.effect("operators own no key: they cannot create applications", () =>
    Effect.gen(function*() {
      expect(yield* tagOf(Policy.authorize(operator, "application:create")(Effect.void))).toBe("Forbidden")
      expect(yield* tagOf(Policy.authorize(officer, "application:create")(Effect.void))).toBe("allowed")
    }))

  it.effect("hands the body the checked actor and application", () =>
    Effect.gen(function*() {
      const app = application((officer as Actor.ApiKeyActor).keyId)
      const grant = yield* Policy.granted("application:submit").pipe(Policy.authorizeApplication(officer, "application:submit", app))
      expect(grant.application).toBe(app)
      expect(grant.actor).toBe(officer)
    }))

  it("scopes listings of loan officers to their own key", () => {
    expect(Policy.listScope(officer)).toEqual(Option.some((officer as Actor.ApiKeyActor).keyId))
    expect(Policy.listScope(underwriter)).toEqual(Option.none())
  })

  it("a body that needs a permission cannot run without its check (compile-time)", () => {
    const body = Policy.granted("application:submit")
    // @ts-expect-error Authorized<"application:submit"> is not provided
    const run: Effect.Effect<unknown> = body
    // @ts-expect-error the check for another permission does not satisfy it
    const wrong: Effect.Effect<unknown, unknown> = Policy.authorize(officer, "application:create")(body)
    expect([run, wrong].length).toBe(2)
  })
})
