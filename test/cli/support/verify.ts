/** The `--json` shape of `verify` (docs/cli.md), shared by the Python verifier. */
import { envFor, run } from "./cli.js"
import type { TestDatabase } from "../../support/database.js"

export type ChainResult =
  | { chain: string; applicationId: string | null; status: "intact"; events: number; head: { id: string; hash: string } | null }
  | {
    chain: string
    applicationId: string | null
    status: "broken"
    events: number
    firstBadEventId: string
    position: number
    field: string
    detail: string
  }
  | { chain: string; applicationId: string; status: "missing"; events: 0; detail: string }

export interface VerifyOutput {
  chains: Array<ChainResult>
  summary: { chains: number; intact: number; broken: number; events: number }
  ok: boolean
}

export const verifyWithCli = async (db: TestDatabase, args: ReadonlyArray<string> = []) => {
  const result = await run(["verify", "--json", ...args], envFor(db))
  let output: VerifyOutput
  try {
    output = JSON.parse(result.stdout) as VerifyOutput
  } catch (cause) {
    throw new Error(`verify printed no JSON (exit ${result.code}): ${result.stderr}`, { cause })
  }
  return { code: result.code, output, stderr: result.stderr }
}

/** What two verifiers must agree on: per chain, intact or the first bad event. */
export const verdicts = (output: VerifyOutput) =>
  Object.fromEntries(
    output.chains.map((c) => [
      c.chain,
      c.status === "intact"
        ? { status: c.status, events: c.events, head: c.head }
        : c.status === "broken"
        ? { status: c.status, firstBadEventId: c.firstBadEventId, field: c.field }
        : { status: c.status }
    ])
  )
