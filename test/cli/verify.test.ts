/**
 * `loan-ledger verify` finds tampering at the right event, and the
 * independent Python verifier (scripts/verify_chain.py, written from
 * docs/audit-chain.md only) reaches the same verdict on every chain.
 *
 * Tampering is done as the owner with migration 006's triggers disabled,
 * each case on its own file-level copy of one seeded database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as SeedData from "../../packages/cli/src/seed/SeedData.js"
import { createTestDatabase, type TestDatabase } from "../support/database.js"
import { envFor, run, stderrLines } from "./support/cli.js"
import { verifyWithPython } from "./support/python.js"
import { copyDatabase, exportChains, query, tamper } from "./support/sql.js"
import { type ChainResult, verdicts, verifyWithCli } from "./support/verify.js"

let source: TestDatabase
/** Ids of the chain of the first seed application, in order. */
let chain: Array<string>
/** The event tampered with (an agent decision in the middle of that chain), its neighbours. */
let target: string
let predecessor: string
let successor: string
/** The system chain has a gap: seed keys first, then (after all applications) a key made with `keys create`. */
let afterGap: string

const FIRST = SeedData.applicationIds[0]!
const SECOND = SeedData.applicationIds[1]!
const chainName = (applicationId: string) => `application:${applicationId}`

beforeAll(async () => {
  source = await createTestDatabase()
  const seeded = await run(["seed"], envFor(source))
  expect(seeded.code, seeded.stderr).toBe(0)
  // Rolled-back writers leave holes in the id sequence; make one so that an event can be slipped in between two.
  await query(source.adminUrl, "SELECT setval('audit_events_id_seq', nextval('audit_events_id_seq') + 10)")
  const key = await run(["keys", "create", "--role", "reviewer", "--description", "Auditor Laptop"], envFor(source))
  expect(key.code, key.stderr).toBe(0)
  chain = (await query<{ id: string }>(source.adminUrl, "SELECT id::text FROM audit_events WHERE application_id = $1 ORDER BY audit_events.id", [FIRST]))
    .map((r) => r.id)
  const agent = (await query<{ id: string }>(
    source.adminUrl,
    "SELECT id::text FROM audit_events WHERE application_id = $1 AND event_type = 'agent_decision' ORDER BY audit_events.id LIMIT 1",
    [FIRST]
  ))[0]!.id
  target = agent
  const at = chain.indexOf(target)
  predecessor = chain[at - 1]!
  successor = chain[at + 1]!
  afterGap = (await query<{ id: string }>(
    source.adminUrl,
    "SELECT max(id)::text AS id FROM audit_events WHERE application_id IS NULL"
  ))[0]!.id
}, 300_000)

afterAll(async () => {
  await source?.drop()
})

/** Tampers with a copy, runs both verifiers, returns their reports; the copy is dropped. */
const tampered = async (statements: string, values: Array<unknown> = []) => {
  const copy = await copyDatabase(source)
  try {
    await tamper(copy.adminUrl, statements, values)
    const cli = await verifyWithCli(copy)
    const python = await verifyWithPython(await exportChains(copy.adminUrl, "Asia/Kolkata"))
    return { cli, python }
  } finally {
    await copy.drop()
  }
}

const brokenChains = (chains: ReadonlyArray<ChainResult>) => chains.filter((c) => c.status !== "intact")

const expectBreak = (
  result: Awaited<ReturnType<typeof tampered>>,
  expected: ReadonlyArray<{ chain: string; firstBadEventId: string; field: string; detailIncludes?: string }>
) => {
  expect(result.cli.code, result.cli.stderr).toBe(1)
  expect(result.cli.output.ok).toBe(false)
  expect(stderrLines({ code: 1, stdout: "", stderr: result.cli.stderr })).toHaveLength(1)
  const broken = brokenChains(result.cli.output.chains)
  expect(broken.map((c) => c.chain).sort()).toEqual(expected.map((e) => e.chain).sort())
  for (const e of expected) {
    const found = broken.find((c) => c.chain === e.chain)
    if (found?.status !== "broken") throw new Error(`chain ${e.chain} is not reported broken`)
    expect(found.firstBadEventId).toBe(e.firstBadEventId)
    expect(found.field).toBe(e.field)
    if (e.detailIncludes !== undefined) expect(found.detail).toContain(e.detailIncludes)
  }
  // The second verifier, written from the specification alone, agrees on every chain.
  expect(result.python.code).toBe(1)
  expect(verdicts(result.python.output)).toEqual(verdicts(result.cli.output))
}

const contentChanges: ReadonlyArray<readonly [string, string]> = [
  ["event_type", "event_type = 'human_review'"],
  ["actor_id", "actor_id = actor_id || 'x'"],
  ["actor_type", "actor_type = 'system'"],
  ["actor_role", "actor_role = 'reviewer'"],
  ["agent_name", "agent_name = agent_name || 'x'"],
  ["confidence_score", "confidence_score = confidence_score - 0.001"],
  ["reasoning", "reasoning = reasoning || '.'"],
  ["input_data_hash", "input_data_hash = overlay(input_data_hash PLACING (CASE WHEN right(input_data_hash, 1) = '0' THEN '1' ELSE '0' END) FROM 64 FOR 1)"],
  ["previous_state", "previous_state = 'draft'"],
  ["new_state", "new_state = 'approved'"],
  ["metadata", "metadata = metadata || '{\"recommendation\": \"deny\"}'"],
  ["created_at (by one microsecond)", "created_at = created_at + interval '1 microsecond'"]
]

describe.concurrent("loan-ledger verify finds tampering", { timeout: 300_000 }, () => {
  it("reports every chain of untouched data as intact, like the Python verifier", async () => {
    const cli = await verifyWithCli(source)
    expect(cli.code, cli.stderr).toBe(0)
    expect(cli.output.summary).toMatchObject({ chains: 13, intact: 13, broken: 0 })
    const python = await verifyWithPython(await exportChains(source.adminUrl, "Pacific/Chatham"))
    expect(python.code).toBe(0)
    expect(verdicts(python.output)).toEqual(verdicts(cli.output))
  })

  it.each(contentChanges)("a changed %s: at the successor, naming the changed event", async (_column, assignment) => {
    const result = await tampered(`UPDATE audit_events SET ${assignment} WHERE id = $1`, [target])
    expectBreak(result, [{
      chain: chainName(FIRST),
      firstBadEventId: successor,
      field: "prev_event_hash",
      detailIncludes: `hash of event ${target}`
    }])
  })

  it("metadata that no longer decodes (a fraction): at the event itself, naming the column", async () => {
    const result = await tampered(`UPDATE audit_events SET metadata = metadata || '{"score": 0.5}' WHERE id = $1`, [target])
    expectBreak(result, [{ chain: chainName(FIRST), firstBadEventId: target, field: "metadata.score" }])
  })

  it("a changed prev_event_hash: at the event itself", async () => {
    const result = await tampered(
      "UPDATE audit_events SET prev_event_hash = repeat('a', 64) WHERE id = $1",
      [target]
    )
    expectBreak(result, [{ chain: chainName(FIRST), firstBadEventId: target, field: "prev_event_hash" }])
  })

  it("a changed id: the event leaves its place, its successor no longer links", async () => {
    const result = await tampered("UPDATE audit_events SET id = id + 1000000 WHERE id = $1", [target])
    expectBreak(result, [{
      chain: chainName(FIRST),
      firstBadEventId: successor,
      field: "prev_event_hash",
      detailIncludes: `hash of event ${predecessor}`
    }])
  })

  it("a changed application_id: both chains break", async () => {
    const result = await tampered("UPDATE audit_events SET application_id = $2 WHERE id = $1", [target, SECOND])
    expectBreak(result, [
      { chain: chainName(FIRST), firstBadEventId: successor, field: "prev_event_hash", detailIncludes: `hash of event ${predecessor}` },
      { chain: chainName(SECOND), firstBadEventId: target, field: "prev_event_hash" }
    ])
  })

  it("a deleted event: at its successor", async () => {
    const result = await tampered("DELETE FROM audit_events WHERE id = $1", [target])
    expectBreak(result, [{
      chain: chainName(FIRST),
      firstBadEventId: successor,
      field: "prev_event_hash",
      detailIncludes: `hash of event ${predecessor}`
    }])
  })

  it("an inserted event, even with a correctly forged link: at the event after it", async () => {
    // Into the gap of the system chain, linking to its predecessor exactly as a writer would.
    const result = await tampered(`
      INSERT INTO audit_events (id, application_id, event_type, actor_id, actor_type, metadata, prev_event_hash, created_at)
      SELECT id - 5, NULL, 'key_management', 'cli:intruder', 'operator', '{"action": "created"}',
             prev_event_hash, created_at - interval '1 second'
      FROM audit_events WHERE id = $1`, [afterGap])
    expectBreak(result, [{
      chain: "system",
      firstBadEventId: afterGap,
      field: "prev_event_hash",
      detailIncludes: `hash of event ${BigInt(afterGap) - 5n}`
    }])
  })

  it("two events swapped: at the first of them", async () => {
    const columns = "application_id, event_type, actor_id, actor_type, actor_role, agent_name, confidence_score, reasoning, input_data_hash, previous_state, new_state, metadata, prev_event_hash, created_at"
    // One statement: its subquery reads the rows as they were before the UPDATE.
    const swapped = await tampered(`
      UPDATE audit_events t SET (${columns}) = (
        SELECT ${columns} FROM audit_events s WHERE s.id = CASE WHEN t.id = $1::bigint THEN $2::bigint ELSE $1::bigint END)
      WHERE t.id IN ($1::bigint, $2::bigint)`, [target, successor])
    expectBreak(swapped, [{ chain: chainName(FIRST), firstBadEventId: target, field: "prev_event_hash" }])
  })

  it("--application verifies one chain; an id with no application and no events is a usage error", async () => {
    const one = await verifyWithCli(source, ["--application", FIRST.toUpperCase()])
    expect(one.code, one.stderr).toBe(0)
    expect(one.output.chains).toEqual([expect.objectContaining({ chain: chainName(FIRST), status: "intact", events: chain.length })])
    const human = await run(["verify", "--application", FIRST], envFor(source))
    expect(human.stdout).toContain(`ok       ${chainName(FIRST)}  ${chain.length} events`)
    const none = await run(["verify", "--application", "00000000-0000-4000-8000-000000000000"], envFor(source))
    expect(none.code).toBe(2)
    expect(stderrLines(none)).toEqual(["loan-ledger: there is no application 00000000-0000-4000-8000-000000000000 and no audit event for it"])
  })

  it("a chain deleted whole: its application is reported without a chain", async () => {
    const copy = await copyDatabase(source)
    try {
      await tamper(copy.adminUrl, "DELETE FROM audit_events WHERE application_id = $1", [FIRST])
      const cli = await verifyWithCli(copy)
      expect(cli.code).toBe(1)
      expect(brokenChains(cli.output.chains)).toEqual([expect.objectContaining({ chain: chainName(FIRST), status: "missing" })])
    } finally {
      await copy.drop()
    }
  })
})
