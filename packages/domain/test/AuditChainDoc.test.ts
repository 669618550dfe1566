/**
 * docs/audit-chain.md carries a worked example for auditors. This test
 * recomputes it from the rows on the page with the domain's code, so the
 * page can never drift from the implementation.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { readFileSync } from "node:fs"
import { AuditChain, AuditEvent, ChainKey, Ids } from "../src/index.js"

const doc = readFileSync(new URL("../../../docs/audit-chain.md", import.meta.url), "utf8")

const block = (id: string, part: string): string => {
  const match = new RegExp(`<!-- example:${id}:${part} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``).exec(doc)
  if (match === null) throw new Error(`docs/audit-chain.md has no block example:${id}:${part}`)
  return match[1]!
}

describe("docs/audit-chain.md worked example", () => {
  const events = ["41", "42"].map((id) => {
    const row = JSON.parse(block(id, "row")) as AuditEvent.AuditEventRow
    return { id, event: Either.getOrThrow(AuditEvent.fromRow(row)) }
  })

  it.each(events)("event $id: canonical text, bytes and hash are what the domain computes", ({ id, event }) => {
    expect(AuditChain.canonicalText(event)).toBe(block(id, "canonical"))
    expect(Buffer.from(AuditChain.canonicalBytes(event)).toString("hex")).toBe(block(id, "hex").replace(/\s+/g, ""))
    expect(AuditChain.hash(event)).toBe(block(id, "sha256").trim())
  })

  it("the two events form an intact chain whose head is event 42's hash", () => {
    const chain = ChainKey.application(events[0]!.event.applicationId as Ids.ApplicationId)
    const result = AuditChain.verify(chain, events.map((e) => e.event))
    expect(result._tag).toBe("Intact")
    if (result._tag === "Intact" && result.head._tag === "Some") {
      expect(result.head.value).toEqual({ id: "42", hash: block("42", "sha256").trim() })
    }
  })
})
