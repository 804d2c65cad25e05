import { defineProject } from "vitest/config"

export default defineProject({
  // A real server and a real Chromium on two shared cores: generous limits; speed is the bench's job.
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    setupFiles: ["../../vitest.setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000
  }
})
