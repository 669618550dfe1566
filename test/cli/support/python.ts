/** Runs the independent Python verifier (scripts/verify_chain.py) on exported chains. */
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import { REPOSITORY } from "./cli.js"
import type { VerifyOutput } from "./verify.js"

export const SCRIPT = Path.join(REPOSITORY, "scripts", "verify_chain.py")

export const verifyWithPython = (lines: string): Promise<{ code: number | null; output: VerifyOutput; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = ChildProcess.spawn("python3", [SCRIPT, "--json"], { stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")))
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")))
    child.on("error", reject)
    child.on("close", (code) => {
      try {
        resolve({ code, output: JSON.parse(stdout) as VerifyOutput, stderr })
      } catch (cause) {
        reject(new Error(`verify_chain.py printed no JSON (exit ${code}): ${stderr}`, { cause }))
      }
    })
    child.stdin.end(lines)
  })
