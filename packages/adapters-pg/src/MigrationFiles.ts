/**
 * The migrations folder: `NNN_name.up.sql` and `NNN_name.down.sql`, one pair
 * per version (three digits, from 001), each applied in its own transaction.
 * Files not ending in `.sql` are ignored; a `.sql` file that does not follow
 * the pattern is an error rather than something silently skipped.
 */
import * as Effect from "effect/Effect"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { MigrationFilesError } from "./MigrationErrors.js"

export interface MigrationFile {
  readonly version: number
  /** `006_audit_immutability`: how people and the history table name it. */
  readonly migration: string
  readonly up: string
  readonly down: string
  /**
   * SHA-256 of the up SQL, hex. Line endings are normalised first, so that a
   * checkout with CRLF line endings does not read as an edited migration.
   */
  readonly checksum: string
}

const FILE_NAME = /^(\d{3})_([a-z0-9]+(?:_[a-z0-9]+)*)\.(up|down)\.sql$/

export const checksumOf = (sql: string): string =>
  Crypto.createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex")

/** All migrations in `directory`, in version order. */
export const load = (directory: string): Effect.Effect<ReadonlyArray<MigrationFile>, MigrationFilesError> => {
  const problem = (text: string) => new MigrationFilesError({ directory, problem: text })
  const read = (file: string) =>
    Effect.tryPromise({
      try: () => Fs.readFile(Path.join(directory, file), "utf8"),
      catch: (cause) => problem(`cannot read ${file}: ${String(cause)}`)
    })

  return Effect.gen(function*() {
    const entries = yield* Effect.tryPromise({
      try: () => Fs.readdir(directory),
      catch: (cause) => problem(`cannot list the folder: ${String(cause)}`)
    })
    const pairs = new Map<number, { migration: string; up?: string; down?: string }>()
    for (const file of entries.filter((entry) => entry.endsWith(".sql")).sort()) {
      const match = FILE_NAME.exec(file)
      if (match === null) {
        return yield* problem(`${file} is not named NNN_name.up.sql or NNN_name.down.sql`)
      }
      const [, digits = "", name = "", direction] = match
      const version = Number(digits)
      if (version === 0) return yield* problem(`${file}: versions start at 001`)
      const migration = `${digits}_${name}`
      const pair = pairs.get(version) ?? { migration }
      if (pair.migration !== migration) {
        return yield* problem(`version ${digits} is used by both ${pair.migration} and ${migration}`)
      }
      const sql = yield* read(file)
      pairs.set(version, direction === "up" ? { ...pair, up: sql } : { ...pair, down: sql })
    }
    const migrations: Array<MigrationFile> = []
    for (const [version, { migration, up, down }] of [...pairs].sort(([a], [b]) => a - b)) {
      if (up === undefined) return yield* problem(`${migration}.up.sql is missing`)
      if (down === undefined) return yield* problem(`${migration}.down.sql is missing`)
      migrations.push({ version, migration, up, down, checksum: checksumOf(up) })
    }
    if (migrations.length === 0) return yield* problem("no migrations found")
    return migrations
  })
}
