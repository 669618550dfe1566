import { defineConfig } from "vitest/config"

// The domain is pure: its tests need no database, so they run without the
// root globalSetup that starts PostgreSQL.
export default defineConfig({
  test: {
    include: ["packages/domain/test/**/*.test.ts"],
    testTimeout: 60_000
  }
})
