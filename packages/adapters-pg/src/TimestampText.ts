/**
 * Timestamps leave PostgreSQL as canonical text (`YYYY-MM-DDTHH:MM:SS.ffffffZ`,
 * see the domain's Timestamp.ts): `to_char` in UTC with all six fractional
 * digits, whatever the session's TimeZone and DateStyle are. A `Date` would
 * lose the microseconds the audit hash and the keyset cursors depend on.
 *
 * Timestamps enter as that same text with `::timestamptz`; ISO 8601 input
 * with a zone means the same instant under every DateStyle and TimeZone.
 */
import type { SqlClient } from "@effect/sql/SqlClient"

const PATTERN = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`

/**
 * `to_char(<column> AT TIME ZONE 'UTC', ...) AS <alias>` as SQL text. Only
 * for column names written in this package: the text becomes part of the
 * query.
 */
export const selectText = (column: string, alias: string = column.replace(/^.*\./, "")): string =>
  `to_char(${column} AT TIME ZONE 'UTC', ${PATTERN}) AS ${alias}`

/** `selectText` as a fragment of a `sql` statement. */
export const select = (sql: SqlClient, column: string, alias?: string) => sql.literal(selectText(column, alias))
