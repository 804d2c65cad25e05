import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    projects: ["packages/*", "examples", "docs"],
    coverage: {
      provider: "v8",
      include: ["packages/*/src/**/*.ts"],
      // Re-export barrels and type-only modules have no lines to run.
      exclude: ["**/index.ts", "packages/core/src/Storage.ts"],
      reporter: ["text-summary", "text"],
      thresholds: { "packages/core/src/**": { lines: 90 } }
    }
  }
})
