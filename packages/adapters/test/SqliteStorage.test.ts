import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { UserRepo } from "@taskdesk/core"
import { makeUser, storageConformance } from "@taskdesk/core/testing"
import { ConfigProvider, Effect, Layer, Option } from "effect"
import { afterAll } from "vitest"
import * as SqlStorage from "../src/sql/SqlStorage.js"

const filename = join(tmpdir(), `taskdesk-conformance-${process.pid}-${Date.now()}.sqlite`)
afterAll(() => {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${filename}${suffix}`, { force: true })
})

storageConformance("SQLite :memory:", SqlStorage.layerSqlite({ filename: ":memory:" }))
// One file for every group of the suite, reopened by each, as an installation reopens it.
storageConformance("SQLite file", SqlStorage.layerSqlite({ filename }))

describe("SqlStorage.layerConfig", () => {
  it.effect("without a database URL keeps everything in one SQLite file in the data directory", () =>
    Effect.gen(function* () {
      const home = mkdtempSync(join(tmpdir(), "taskdesk-home-"))
      const dataDirectory = join(home, "data")
      const provider = ConfigProvider.fromMap(new Map([["TASKDESK_DATA_DIR", dataDirectory]]), { pathDelim: "_" })
      const storage = SqlStorage.layerConfig.pipe(Layer.provide(Layer.setConfigProvider(provider)))
      const user = makeUser()
      yield* Effect.provide(
        Effect.flatMap(UserRepo.UserRepo, (users) => users.insert(user)),
        storage
      )
      assert.isTrue(existsSync(SqlStorage.defaultSqliteFile(dataDirectory)))
      // Reopened, the data is there.
      const found = yield* Effect.provide(
        Effect.flatMap(UserRepo.UserRepo, (users) => users.findById(user.id)),
        storage
      )
      assert.isTrue(Option.isSome(found))
      rmSync(home, { recursive: true, force: true })
    })
  )
})
