import { defineProject } from "vitest/config"

export default defineProject({
  // Property tests and real servers share two cores in CI: time limits are generous, speed is measured by benchmarks.
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["../../vitest.setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000
  }
})
