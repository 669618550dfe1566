/**
 * What can go wrong when migrating, as values a caller can match on. None of
 * them carries row data: PostgreSQL's error detail (which may quote a row) is
 * left out, only its SQLSTATE and message are kept.
 */
import * as Schema from "effect/Schema"

export const MigrationDirection = Schema.Literal("up", "down")
export type MigrationDirection = typeof MigrationDirection.Type

/** The migrations folder cannot be read, or its files do not form a valid set. */
export class MigrationFilesError extends Schema.TaggedError<MigrationFilesError>()("MigrationFilesError", {
  directory: Schema.String,
  problem: Schema.String
}) {
  override get message(): string {
    return `migrations in ${this.directory}: ${this.problem}`
  }
}

/**
 * The database's migration history does not match the files: an applied
 * migration was edited afterwards, its file is gone, or a pending migration
 * is older than an applied one. Running anything then would mean running SQL
 * nobody reviewed against this history.
 */
export class MigrationHistoryMismatch extends Schema.TaggedError<MigrationHistoryMismatch>()(
  "MigrationHistoryMismatch",
  {
    version: Schema.Int,
    reason: Schema.Literal("changed", "missing-file", "out-of-order")
  }
) {
  override get message(): string {
    const version = formatVersion(this.version)
    switch (this.reason) {
      case "changed":
        return `migration ${version} was applied, but its up file has changed since`
      case "missing-file":
        return `migration ${version} is applied, but there is no file for it`
      case "out-of-order":
        return `migration ${version} is pending, but a later migration is already applied`
    }
  }
}

/** `up --to` names no known migration, or `down --steps` is not 1..applied. */
export class InvalidMigrationTarget extends Schema.TaggedError<InvalidMigrationTarget>()("InvalidMigrationTarget", {
  problem: Schema.String
}) {
  override get message(): string {
    return this.problem
  }
}

/** Another runner held the migration lock for longer than LOCK_TIMEOUT_MS. */
export class MigrationLockTimeout extends Schema.TaggedError<MigrationLockTimeout>()("MigrationLockTimeout", {
  lockTimeoutMs: Schema.Int
}) {
  override get message(): string {
    return `another migration runner held the migration lock for more than ${this.lockTimeoutMs} ms`
  }
}

/** A migration's SQL failed; its transaction was rolled back, so nothing of it remains. */
export class MigrationFailed extends Schema.TaggedError<MigrationFailed>()("MigrationFailed", {
  version: Schema.Int,
  migration: Schema.String,
  direction: MigrationDirection,
  sqlState: Schema.optional(Schema.String),
  reason: Schema.String
}) {
  override get message(): string {
    const code = this.sqlState === undefined ? "" : ` [${this.sqlState}]`
    return `migration ${this.migration} (${this.direction}) failed and was rolled back${code}: ${this.reason}`
  }
}

/**
 * In production, undoing 006 (the audit guards) or anything before it (the
 * audit trail and the business tables) would strip the trail's protection or
 * drop it: refused before anything runs.
 */
export class ProductionDowngradeRefused extends Schema.TaggedError<ProductionDowngradeRefused>()(
  "ProductionDowngradeRefused",
  {
    version: Schema.Int,
    protectedThrough: Schema.Int
  }
) {
  override get message(): string {
    return `refusing to undo migration ${formatVersion(this.version)} in production: ` +
      `migrations up to ${formatVersion(this.protectedThrough)} can only be undone outside production`
  }
}

export const formatVersion = (version: number): string => String(version).padStart(3, "0")
