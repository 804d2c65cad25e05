import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import Database, { engine, packageFor, version } from "../src/sql/SqliteEngine.js"
import { runFixture } from "./fixtures/child.js"

describe("SqliteEngine", () => {
  it("takes better-sqlite3 12.x below Node 22 and 13.x from Node 22 on", () => {
    assert.strictEqual(packageFor("20.11.0"), "better-sqlite3")
    assert.strictEqual(packageFor("20.20.2"), "better-sqlite3")
    assert.strictEqual(packageFor("21.7.3"), "better-sqlite3")
    assert.strictEqual(packageFor("22.0.0"), "better-sqlite3-13")
    assert.strictEqual(packageFor("24.19.0"), "better-sqlite3-13")
    assert.strictEqual(packageFor("26.1.0"), "better-sqlite3-13")
  })

  it("loads the major this runtime needs, and it runs SQL", () => {
    const major = Number(process.versions.node.split(".")[0])
    assert.strictEqual(engine, packageFor(process.versions.node))
    assert.strictEqual(version.split(".")[0], major >= 22 ? "13" : "12")
    const db = new Database(":memory:")
    try {
      db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT NOT NULL)")
      const insert: Database.Statement = db.prepare("INSERT INTO t (label) VALUES (?)")
      assert.strictEqual(insert.run("a").changes, 1)
      assert.deepStrictEqual(db.prepare("SELECT id, label FROM t").all(), [{ id: 1, label: "a" }])
      assert.isTrue(db.prepare("SELECT 1").reader)
      assert.isFalse(insert.reader)
    } finally {
      db.close()
    }
  })

  // better-sqlite3 12.x on Node 24.19+ aborts the process here, collecting a dropped statement
  // (`Assertion failed: (env) != nullptr` in `Statement::~Statement`), after some ten thousand.
  it.effect(
    "survives twenty thousand statements prepared, run and dropped (a child process, as an abort ends it)",
    () =>
      Effect.map(
        Effect.promise(() => runFixture("./statements.ts", ["20000"])),
        (out) => assert.strictEqual(out, "20000\n")
      ),
    120_000
  )
})
