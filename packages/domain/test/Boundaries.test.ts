/**
 * Lint-level checks of the domain's boundaries: it imports nothing from the
 * platform but `node:crypto`, and its errors know nothing of HTTP.
 */
import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Errors } from "../src/index.js"

const srcDir = fileURLToPath(new URL("../src", import.meta.url))
const sources = readdirSync(srcDir, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts"))
  .map((f) => ({ file: f, text: readFileSync(join(srcDir, f), "utf8") }))

const specifiers = (text: string): Array<string> => {
  const found: Array<string> = []
  const patterns = [
    /\bimport\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?["']([^"']+)["']/g,
    /\bexport\s+(?:type\s+)?(?:\*|\{[^}]*\})(?:\s+as\s+\w+)?\s+from\s+["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g
  ]
  for (const p of patterns) for (const m of text.matchAll(p)) found.push(m[1]!)
  return found
}

describe("packages/domain boundaries", () => {
  it("has sources to check", () => {
    expect(sources.length).toBeGreaterThan(20)
  })

  it("imports only effect, node:crypto and its own modules", () => {
    const offending = sources.flatMap(({ file, text }) =>
      specifiers(text)
        .filter((s) => !(s === "effect" || s.startsWith("effect/") || s === "node:crypto" || /^\.\.?\/[\w./-]+\.js$/.test(s)))
        .map((s) => `${file}: ${s}`)
    )
    expect(offending).toEqual([])
  })

  it("reads no environment and runs no effects itself", () => {
    const offending = sources.filter(({ text }) => /process\.env|runPromise|runSync|runFork|\bany\b(?=[\s,;)>\]])/.test(text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "")))
    expect(offending.map((s) => s.file)).toEqual([])
  })

  it("its errors carry no HTTP status", () => {
    const errorClasses: Array<unknown> = Object.values(Errors).filter((v) => typeof v === "function" && "fields" in v)
    expect(errorClasses.length).toBeGreaterThan(10)
    for (const cls of errorClasses) {
      const fields = Object.keys((cls as { fields: object }).fields)
      expect(fields).not.toContain("status")
      expect(fields).not.toContain("statusCode")
    }
    const text = readFileSync(join(srcDir, "Errors.ts"), "utf8").replace(/\/\*[\s\S]*?\*\//g, "")
    expect(text).not.toMatch(/\b(4\d\d|5\d\d)\b|HttpApi|status:/)
  })
})
