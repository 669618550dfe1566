/** Small valid inputs and files for the use-case tests. */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { Actor, ApiKeyRecord, ApiKeyRepository, ChainKey, Ids, LoanApplication, Role, Timestamp, UnitOfWork } from "../../src/index.js"
import { ApiKey } from "../../src/index.js"

export const createRequest = (overrides: Record<string, unknown> = {}): LoanApplication.CreateApplicationRequest =>
  Schema.decodeUnknownSync(LoanApplication.CreateApplicationRequest)({
    borrowerName: "Test Borrower",
    ssn: "900-12-3456",
    loanAmount: "250000.00",
    annualIncome: "98000.50",
    monthlyDebts: "1250.00",
    propertyValue: "400000.00",
    loanTermMonths: 360,
    interestRate: "6.875",
    propertyAddress: { street: "1 Test Way", city: "Springfield", state: "IL", zip: "62701" },
    accountNumbers: ["DE89370400440532013000", "12345678"],
    governmentId: "X1234567",
    ...overrides
  })

/** A minimal, structurally complete PDF. */
export const pdf = (body = "1 0 obj << >> endobj"): Uint8Array =>
  new TextEncoder().encode(`%PDF-1.7\n${body}\ntrailer << >>\nstartxref\n0\n%%EOF\n`)

/**
 * Inserts an API key directly (bypassing the use case, like a seed) and
 * returns its actor and plaintext.
 */
export const seedKey = (role: Role.Role, overrides: Partial<ApiKeyRecord.ApiKeyRecord> = {}) =>
  Effect.gen(function*() {
    const repo = yield* ApiKeyRepository.ApiKeyRepository
    const key = ApiKey.generate(role)
    const record = ApiKeyRecord.ApiKeyRecord.make({
      id: Ids.newApiKeyId(),
      keyHash: yield* ApiKey.hash(key),
      role,
      description: null,
      expiresAt: null,
      isActive: true,
      isSeed: true,
      createdAt: yield* Timestamp.now,
      ...overrides
    })
    yield* UnitOfWork.transaction([ChainKey.system], repo.insert(record))
    return { actor: Actor.apiKey(record.id, role), key, record }
  })

export const actorOf = (role: Role.Role): Actor.Actor => Actor.apiKey(Ids.newApiKeyId(), role)

export const bearer = (key: Redacted.Redacted<string>, role?: Role.Role): string =>
  role === undefined ? `Bearer ${Redacted.value(key)}` : `Bearer ${role}:${Redacted.value(key)}`

export const none = Option.none()
