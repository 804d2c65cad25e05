import { defineProject } from "vitest/config"

export default defineProject({
  // One TypeScript program over every block and a real server: generous limits on two shared cores.
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["../vitest.setup.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000
  }
})
