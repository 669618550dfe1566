/**
 * scripts/verify_chain.py against the specification it was written from:
 * the worked example of docs/audit-chain.md, and the rules for values.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { describe, expect, it } from "vitest"
import { REPOSITORY } from "./support/cli.js"
import { verifyWithPython } from "./support/python.js"

const doc = Fs.readFileSync(Path.join(REPOSITORY, "docs", "audit-chain.md"), "utf8")

const block = (marker: string, language: string): string => {
  const match = new RegExp(`<!-- ${marker} -->\\n\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(doc)
  if (match === null) throw new Error(`docs/audit-chain.md has no ${marker} block`)
  return match[1]!
}

const row41 = JSON.parse(block("example:41:row", "json")) as Record<string, unknown>
const row42 = JSON.parse(block("example:42:row", "json")) as Record<string, unknown>
const lines = (...rows: ReadonlyArray<Record<string, unknown>>) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n"

describe("scripts/verify_chain.py", () => {
  it("reproduces the worked example of docs/audit-chain.md", async () => {
    const result = await verifyWithPython(lines(row41, row42))
    expect(result.code, result.stderr).toBe(0)
    expect(result.output.chains).toEqual([expect.objectContaining({
      status: "intact",
      events: 2,
      head: { id: "42", hash: block("example:42:sha256", "text").trim() }
    })])
  })

  it("reads metadata given as jsonb text, with numbers in any integral spelling", async () => {
    const asText = { ...row42, metadata: "{\"items\": 2.0, \"checklist\": [\"income\", \"identity\"]}" }
    const result = await verifyWithPython(lines(row41, asText))
    expect(result.output.chains[0]).toMatchObject({ status: "intact", head: { hash: block("example:42:sha256", "text").trim() } })
  })

  it("breaks at an event whose metadata holds a fraction, and at the successor of a changed event", async () => {
    const fraction = await verifyWithPython(lines(row41, { ...row42, metadata: "{\"items\": 2.5}" }))
    expect(fraction.code).toBe(1)
    expect(fraction.output.chains[0]).toMatchObject({ status: "broken", firstBadEventId: "42", field: "metadata.items" })

    const changed = await verifyWithPython(lines({ ...row41, actor_role: "reviewer" }, row42))
    expect(changed.output.chains[0]).toMatchObject({
      status: "broken",
      firstBadEventId: "42",
      field: "prev_event_hash",
      detail: "prev_event_hash does not match the hash of event 41"
    })
  })

  it("refuses input that is not grouped by chain (exit 2)", async () => {
    const other = { ...row41, application_id: "00000000-0000-4000-8000-000000000001" }
    await expect(verifyWithPython(lines(row41, other, row42))).rejects.toThrow(/not contiguous/)
  })
})
