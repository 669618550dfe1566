/**
 * Vitest global setup: one PostgreSQL for the run, one migrated template
 * database, and the cleanup of both, also after failures. An interrupted run
 * is covered twice: the embedded server's watchdog stops it when this
 * process dies, and the next run drops databases left by dead runs.
 */
import type { TestProject } from "vitest/node"
import { startCluster } from "./cluster.js"
import { APP_ROLE, APP_ROLE_PASSWORD, buildTemplate, dropRunDatabases, dropStaleRunDatabases, runPrefix } from "./template.js"

declare module "vitest" {
  export interface ProvidedContext {
    readonly pg: {
      readonly adminUrl: string
      readonly templateDatabase: string
      readonly runPrefix: string
      readonly appRole: string
      readonly appRolePassword: string
      readonly kind: "url" | "container" | "embedded"
    }
  }
}

export default async function setup(project: TestProject) {
  const cluster = await startCluster()
  const prefix = runPrefix()
  try {
    await dropStaleRunDatabases(cluster.adminUrl)
    const templateDatabase = await buildTemplate(cluster.adminUrl, prefix)
    project.provide("pg", {
      adminUrl: cluster.adminUrl,
      templateDatabase,
      runPrefix: prefix,
      appRole: APP_ROLE,
      appRolePassword: APP_ROLE_PASSWORD,
      kind: cluster.kind
    })
  } catch (cause) {
    await cluster.stop()
    throw cause
  }
  return async () => {
    try {
      await dropRunDatabases(cluster.adminUrl, prefix)
    } finally {
      await cluster.stop()
    }
  }
}
