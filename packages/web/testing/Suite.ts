import { describe, it } from "@effect/vitest"
import { chromiumAvailable, chromiumPath } from "./Browser.js"

/** A suite that needs Chromium: skipped without it, failed without it under CI=true. */
export const describeBrowser = (name: string, body: () => void): void => {
  if (!chromiumAvailable && process.env.CI === "true") {
    it(`Chromium is installed at ${chromiumPath} (required under CI=true)`, () => {
      throw new Error(`${chromiumPath} is missing: apt-get install -y chromium`)
    })
  }
  describe.skipIf(!chromiumAvailable)(name, body)
}
