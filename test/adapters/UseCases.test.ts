/**
 * Every use case of the domain, end to end through the PostgreSQL adapter as
 * the runtime role: applications, documents, API keys and the audit trail,
 * with what each leaves in the database checked as the owner sees it.
 */
import { describe, expect, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { WorkflowCheckpoints } from "@loan-ledger/adapters-pg/WorkflowCheckpoints"
import * as ApiKey from "@loan-ledger/domain/ApiKey"
import { ApiKeys } from "@loan-ledger/domain/ApiKeys"
import { Applications } from "@loan-ledger/domain/Applications"
import * as AuditChain from "@loan-ledger/domain/AuditChain"
import { AuditTrail } from "@loan-ledger/domain/AuditTrail"
import * as ChainKey from "@loan-ledger/domain/ChainKey"
import { Documents } from "@loan-ledger/domain/Documents"
import { InvalidTransition, NoDocuments, NotFound, Unauthenticated } from "@loan-ledger/domain/Errors"
import type { ApplicationId } from "@loan-ledger/domain/Ids"
import * as Ids from "@loan-ledger/domain/Ids"
import * as Pagination from "@loan-ledger/domain/Pagination"
import * as PiiVault from "@loan-ledger/domain/PiiVault"
import * as Timestamp from "@loan-ledger/domain/Timestamp"
import { png, pdf } from "../../packages/domain/test/support/Files.js"
import { bearer, createRequest } from "../../packages/domain/test/support/Fixtures.js"
import { asOwner, databaseLayer, storeKey, verifyChain, withUseCases } from "./support/PgTestLayer.js"

const page = (limit: number, cursor: Option.Option<string> = Option.none()) => ({ limit, cursor })

/** Every item of a keyset-paginated listing, page by page. */
const collectPages = <A, E, R>(
  limit: number,
  fetch: (request: Pagination.PageRequest) => Effect.Effect<Pagination.Page<A>, E, R>
) =>
  Effect.gen(function*() {
    const items: Array<A> = []
    let cursor = Option.none<string>()
    for (let guard = 0; guard < 1000; guard++) {
      const result = yield* fetch(page(limit, cursor))
      items.push(...result.items)
      if (!result.hasMore) return items
      cursor = result.nextCursor
    }
    return items
  })

const chainEvents = (id: ApplicationId) =>
  asOwner<{ event_type: string; previous_state: string | null; new_state: string | null; actor_id: string }>(
    "SELECT event_type, previous_state, new_state, actor_id FROM audit_events WHERE application_id = $1 ORDER BY id",
    [id]
  )

layer(databaseLayer, { timeout: "60 seconds", excludeTestServices: true })("use cases on PostgreSQL", (it) => {
  describe("applications", () => {
    it.effect("creates a draft: PII stored only as ciphertext, read back exactly, one event", () =>
      withUseCases(Effect.gen(function*() {
        const apps = yield* Applications
        const { actor, record } = yield* storeKey("loan_officer")
        const created = yield* apps.create(actor, createRequest())
        const read = yield* apps.get(actor, created.id)
        // Every field, timestamps to the microsecond and the ciphertexts byte for byte.
        expect(read).toEqual(created)

        const [row] = yield* asOwner<{ ssn_encrypted: Buffer; ssn_last4: string; account_numbers_encrypted: Buffer; interest_rate: string; loan_amount_cents: string }>(
          "SELECT ssn_encrypted, ssn_last4, account_numbers_encrypted, interest_rate::text, loan_amount_cents::text FROM loan_applications WHERE id = $1",
          [created.id]
        )
        expect(row!.ssn_encrypted[0]).toBe(1)
        expect(row!.ssn_encrypted.toString("latin1")).not.toContain("900-12-3456")
        expect(row!.account_numbers_encrypted.toString("latin1")).not.toContain("DE89370400440532013000")
        expect(row).toMatchObject({ ssn_last4: "3456", interest_rate: "6.875000", loan_amount_cents: "25000000" })
        expect(Redacted.value(yield* PiiVault.decryptText(read.ssnEncrypted))).toBe("900-12-3456")

        expect(yield* chainEvents(created.id)).toEqual([
          { event_type: "state_transition", previous_state: null, new_state: "draft", actor_id: record.id }
        ])
      })))

    it.effect("lists newest first with exact created_at:id cursors, filtered by status and owner", () =>
      withUseCases(Effect.gen(function*() {
        const apps = yield* Applications
        const officer = (yield* storeKey("loan_officer")).actor
        const other = (yield* storeKey("loan_officer")).actor
        const underwriter = (yield* storeKey("senior_underwriter")).actor
        const mine = yield* Effect.forEach([1, 2, 3, 4, 5], () => apps.create(officer, createRequest()))
        const theirs = yield* apps.create(other, createRequest())
        // Three of them a microsecond apart within one millisecond: a
        // millisecond cursor would skip or repeat rows here.
        for (const [i, app] of mine.slice(0, 3).entries()) {
          yield* asOwner(
            "UPDATE loan_applications SET created_at = $2::timestamptz, updated_at = $2::timestamptz WHERE id = $1",
            [app.id, `2030-01-01T00:00:00.00000${i + 1}Z`]
          )
        }
        yield* asOwner("UPDATE loan_applications SET status = 'withdrawn' WHERE id = $1", [mine[4]!.id])

        const listed = yield* collectPages(1, (p) => apps.list(officer, { status: Option.none(), page: p }))
        const expectedOrder = [mine[2]!, mine[1]!, mine[0]!, mine[4]!, mine[3]!].map((a) => a.id)
        expect(listed.map((a) => a.id)).toEqual(expectedOrder)
        expect(listed[0]!.createdAt).toBe("2030-01-01T00:00:00.000003Z")

        const drafts = yield* collectPages(2, (p) => apps.list(officer, { status: Option.some("draft"), page: p }))
        expect(drafts.map((a) => a.id)).toEqual(expectedOrder.filter((id) => id !== mine[4]!.id))

        const all = yield* collectPages(100, (p) => apps.list(underwriter, { status: Option.none(), page: p }))
        expect(all.map((a) => a.id)).toContain(theirs.id)
        expect(listed.map((a) => a.id)).not.toContain(theirs.id)

        const bad = yield* apps.list(officer, { status: Option.none(), page: page(5, Option.some("not-a-cursor")) }).pipe(Effect.either)
        expect(Either.isLeft(bad) && bad.left._tag).toBe("ValidationError")
      })))

    it.effect("submits (two events, one checkpoint), withdraws, and retries after a processing error", () =>
      withUseCases(Effect.gen(function*() {
        const apps = yield* Applications
        const docs = yield* Documents
        const checkpoints = yield* WorkflowCheckpoints
        const { actor, record } = yield* storeKey("loan_officer")
        const underwriter = (yield* storeKey("senior_underwriter")).actor
        const other = (yield* storeKey("loan_officer")).actor

        const empty = yield* apps.create(actor, createRequest())
        expect(yield* apps.submit(actor, empty.id).pipe(Effect.flip)).toEqual(new NoDocuments({ applicationId: empty.id }))
        expect((yield* apps.withdraw(actor, empty.id)).status).toBe("withdrawn")

        const app = yield* apps.create(actor, createRequest())
        expect(yield* apps.submit(other, app.id).pipe(Effect.flip)).toEqual(new NotFound({ entity: "application", id: app.id }))
        yield* docs.upload(actor, app.id, { filename: "scan.pdf", content: pdf() })
        const submitted = yield* apps.submit(actor, app.id)
        expect(submitted.status).toBe("processing")
        expect(yield* apps.retry(actor, app.id).pipe(Effect.flip)).toEqual(new InvalidTransition({ from: "processing", to: "processing" }))
        yield* asOwner("UPDATE loan_applications SET status = 'processing_error' WHERE id = $1", [app.id])
        expect((yield* apps.retry(underwriter, app.id)).status).toBe("processing")

        const transitions = (yield* chainEvents(app.id)).filter((e) => e.event_type === "state_transition")
        expect(transitions.map((e) => [e.previous_state, e.new_state])).toEqual([
          [null, "draft"], ["draft", "submitted"], ["submitted", "processing"], ["processing_error", "processing"]
        ])
        const queued = yield* checkpoints.forApplication(app.id)
        expect(queued.map((c) => [c.reason, c.requestedBy])).toEqual([["submitted", record.id], ["retry", expect.any(String)]])
        expect((yield* verifyChain(ChainKey.application(app.id)))._tag).toBe("Intact")
      })))
  })

  describe("documents", () => {
    it.effect("uploads encrypted at rest, lists, gets, and downloads with a document_access event", () =>
      withUseCases(Effect.gen(function*() {
        const apps = yield* Applications
        const docs = yield* Documents
        const { actor } = yield* storeKey("loan_officer")
        const other = (yield* storeKey("loan_officer")).actor
        const app = yield* apps.create(actor, createRequest())
        const marker = "PLAINTEXT-MARKER-4711"
        const content = pdf(`% ${marker}`)
        const first = yield* docs.upload(actor, app.id, { filename: "Bank Statement.pdf", content })
        const second = yield* docs.upload(actor, app.id, { filename: "photo.png", content: png() })
        const third = yield* docs.upload(actor, app.id, { filename: "more.pdf", content: pdf() })

        const [stored] = yield* asOwner<{ content_encrypted: Buffer }>(
          "SELECT content_encrypted FROM document_contents WHERE document_id = $1",
          [first.id]
        )
        expect(stored!.content_encrypted[0]).toBe(1)
        expect(stored!.content_encrypted.toString("latin1")).not.toContain(marker)

        const listed = yield* collectPages(2, (p) => docs.list(actor, app.id, p))
        expect(listed.map((d) => d.id)).toEqual([first.id, second.id, third.id])
        expect(yield* docs.get(actor, app.id, second.id)).toEqual(second)
        expect(yield* docs.getById(actor, first.id)).toEqual(first)
        expect(yield* docs.getById(other, first.id).pipe(Effect.flip)).toEqual(new NotFound({ entity: "document", id: first.id }))

        const download = yield* docs.download(actor, app.id, first.id)
        expect(Buffer.from(Redacted.value(download.content)).equals(Buffer.from(content))).toBe(true)
        const byId = yield* docs.downloadById(actor, second.id)
        expect(Buffer.from(Redacted.value(byId.content)).equals(Buffer.from(png()))).toBe(true)

        const types = (yield* chainEvents(app.id)).map((e) => e.event_type)
        expect(types).toEqual([
          "state_transition", "document_upload", "document_upload", "document_upload", "document_access", "document_access"
        ])
        // File names never reach the audit trail (they can be PII).
        const metadata = yield* asOwner<{ m: string }>("SELECT metadata::text AS m FROM audit_events WHERE application_id = $1", [app.id])
        expect(metadata.map((r) => r.m).join(" ")).not.toContain("Bank")
      })))
  })

  describe("API keys", () => {
    it.effect("creates (hash only), lists, authenticates, revokes; failures land on the system chain", () =>
      withUseCases(Effect.gen(function*() {
        const keys = yield* ApiKeys
        const reviewer = (yield* storeKey("reviewer")).actor
        const created = yield* keys.create(reviewer, { role: "loan_officer", description: "desk 4", expiresInDays: 30 })
        const [row] = yield* asOwner<{ key_hash: string; is_seed: boolean; is_active: boolean }>(
          "SELECT key_hash, is_seed, is_active FROM api_keys WHERE id = $1",
          [created.record.id]
        )
        expect(row).toEqual({ key_hash: created.record.keyHash, is_seed: false, is_active: true })
        expect(row!.key_hash).not.toContain(Redacted.value(created.key))

        const actor = yield* keys.authenticate(bearer(created.key, "reviewer"))
        // The claimed role is a hint; the stored one counts.
        expect(actor).toEqual({ _tag: "ApiKey", keyId: created.record.id, role: "loan_officer" })

        const listed = yield* collectPages(1, (p) => keys.list(reviewer, p))
        expect(listed.map((k) => k.id)).toContain(created.record.id)
        expect(listed[0]!.id).toBe(created.record.id)

        const systemEventsBefore = yield* asOwner("SELECT id FROM audit_events WHERE application_id IS NULL")
        const unknown = ApiKey.generate("loan_officer")
        expect(yield* keys.authenticate(bearer(unknown)).pipe(Effect.flip)).toEqual(new Unauthenticated({ reason: "unknown_key" }))

        const revoked = yield* keys.revoke(reviewer, created.record.id)
        expect(revoked.isActive).toBe(false)
        expect(yield* keys.authenticate(bearer(created.key)).pipe(Effect.flip)).toEqual(new Unauthenticated({ reason: "inactive" }))

        const expired = yield* storeKey("loan_officer", { expiresAt: Timestamp.addSeconds(yield* Timestamp.now, -1) })
        expect(yield* keys.authenticate(bearer(expired.key)).pipe(Effect.flip)).toEqual(new Unauthenticated({ reason: "expired" }))

        const systemEvents = yield* asOwner<{ event_type: string; metadata: { outcome?: string; reason?: string; action?: string } }>(
          "SELECT event_type, metadata FROM audit_events WHERE application_id IS NULL ORDER BY id"
        )
        expect(systemEvents.slice(systemEventsBefore.length).map((e) => [e.event_type, e.metadata.reason ?? e.metadata.action]))
          .toEqual([["auth_event", "unknown_key"], ["key_management", "revoked"], ["auth_event", "inactive"], ["auth_event", "expired"]])
        expect((yield* verifyChain(ChainKey.system))._tag).toBe("Intact")
      })))
  })

  describe("audit trail", () => {
    it.effect("records, queries by type and [from, to), pages by id, and verifies every chain", () =>
      withUseCases(Effect.gen(function*() {
        const apps = yield* Applications
        const trail = yield* AuditTrail
        const officer = (yield* storeKey("loan_officer")).actor
        const underwriter = (yield* storeKey("senior_underwriter")).actor
        const reviewer = (yield* storeKey("reviewer")).actor
        const app = yield* apps.create(officer, createRequest())
        const decision = yield* trail.record(underwriter, {
          applicationId: app.id,
          eventType: "agent_decision",
          agentName: "underwriting-agent",
          confidenceScore: "0.850" as never,
          reasoning: "income verified",
          metadata: { model: "v1", score_band: 3 }
        })
        expect(decision.confidenceScore).toBe("0.850")
        const [stored] = yield* asOwner<{ confidence_score: string }>(
          "SELECT confidence_score::text FROM audit_events WHERE id = $1",
          [decision.id]
        )
        expect(stored!.confidence_score).toBe("0.850")
        for (let i = 0; i < 4; i++) {
          yield* trail.record(underwriter, { applicationId: app.id, eventType: "human_review", metadata: { n: i } })
        }
        yield* trail.record(reviewer, { eventType: "maintenance", metadata: { note: "system chain" } })

        const all = yield* collectPages(2, (p) =>
          trail.query(officer, { applicationId: Option.some(app.id), eventType: Option.none(), from: Option.none(), to: Option.none(), page: p }))
        expect(all.map((e) => e.eventType)).toEqual(["state_transition", "agent_decision", ...Array(4).fill("human_review")])
        expect(all.map((e) => BigInt(e.id))).toEqual([...all.map((e) => BigInt(e.id))].sort((a, b) => (a < b ? -1 : 1)))

        const reviews = yield* collectPages(100, (p) =>
          trail.query(officer, { applicationId: Option.some(app.id), eventType: Option.some("human_review"), from: Option.none(), to: Option.none(), page: p }))
        expect(reviews).toHaveLength(4)

        // [from, to): from is inclusive, to exclusive, at microsecond precision.
        const from = reviews[1]!.createdAt
        const to = reviews[3]!.createdAt
        const window = yield* collectPages(100, (p) =>
          trail.query(officer, { applicationId: Option.some(app.id), eventType: Option.none(), from: Option.some(from), to: Option.some(to), page: p }))
        expect(window.map((e) => e.id)).toEqual([reviews[1]!.id, reviews[2]!.id])

        const verification = yield* trail.verify(officer, Option.some(app.id))
        expect(verification).toMatchObject({ _tag: "Intact", events: 6 })
        const head = Chunk.toReadonlyArray(yield* Stream.runCollect(trail.verifyAll(reviewer)))
        expect(head.length).toBeGreaterThanOrEqual(2)
        expect(head.every((v) => v._tag === "Intact")).toBe(true)
        expect(AuditChain.hash(all[all.length - 1]!)).toBe(
          verification._tag === "Intact" ? Option.getOrThrow(verification.head).hash : ""
        )
        expect(yield* trail.query(officer, { applicationId: Option.some(Ids.newApplicationId()), eventType: Option.none(), from: Option.none(), to: Option.none(), page: page(10) }).pipe(Effect.flip))
          .toBeInstanceOf(NotFound)
      })))
  })
})
