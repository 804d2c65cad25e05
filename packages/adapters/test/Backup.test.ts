import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Zlib from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import { Actor, EventLog, type Storage, TaskDesk, Tasks } from "@taskdesk/core"
import { DateTime, Effect, FastCheck, Layer, Option } from "effect"
import * as Backup from "../src/backup/Backup.js"
import * as Retention from "../src/backup/Retention.js"
import * as Migrations from "../src/sql/Migrations.js"
import Database from "../src/sql/SqliteEngine.js"
import * as SqlStorage from "../src/sql/SqlStorage.js"
import { describePg, freshSchema, pgUrl } from "../testing/Postgres.js"

const moscow = DateTime.zoneUnsafeMakeNamed("Europe/Moscow")
const utc = DateTime.zoneUnsafeMakeNamed("UTC")
const at = (iso: string) => DateTime.unsafeMake(iso)
const dated = (iso: string) => ({ name: Backup.fileName("sqlite", at(iso)), at: at(iso) })

describe("retention", () => {
  it("keeps the newest of the last 7 days, 4 ISO weeks and 12 months of a year of nightly backups", () => {
    // 02:00 in Moscow is 23:00 UTC the evening before: days are read on Moscow's clock.
    const nightly = Array.from({ length: 365 }, (_, i) => ({
      name: `b${i}`,
      at: DateTime.unsafeMake(Date.UTC(2025, 11, 31, 23, 0) + i * 86_400_000)
    }))
    const { keep, remove } = Retention.select(nightly, Retention.defaultPolicy, moscow)
    const days = keep.map((b) => Retention.periodsOf(b.at, moscow).day)
    assert.deepStrictEqual(days, [
      ...["31", "30", "29", "28", "27", "26", "25"].map((d) => `2026-12-${d}`),
      // 2026 has 53 ISO weeks: W53 (from Mon 28 Dec) and W52 are among the dailies.
      "2026-12-20",
      "2026-12-13",
      ...["11-30", "10-31", "09-30", "08-31", "07-31", "06-30", "05-31", "04-30", "03-31", "02-28", "01-31"].map(
        (d) => `2026-${d}`
      )
    ])
    assert.strictEqual(keep.length + remove.length, nightly.length)
    // Read in UTC the same instants fall a day earlier: the zone decides.
    const inUtc = Retention.select(nightly, Retention.defaultPolicy, utc).keep
    assert.strictEqual(Retention.periodsOf(inUtc[0]!.at, utc).day, "2026-12-30")
  })

  it("counts days that have a backup, so a pause in backups deletes nothing old", () => {
    const old = ["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"].map(dated)
    const { keep } = Retention.select(old, Retention.defaultPolicy, utc)
    assert.strictEqual(keep.length, 3)
  })

  it("keeps one per period: the newest of several backups on one day", () => {
    const sameDay = ["2026-03-02T01:00:00Z", "2026-03-02T09:00:00Z", "2026-03-02T05:00:00Z"].map(dated)
    const { keep, remove } = Retention.select(sameDay, Retention.defaultPolicy, utc)
    assert.deepStrictEqual(
      keep.map((b) => DateTime.formatIso(b.at)),
      ["2026-03-02T09:00:00.000Z"]
    )
    assert.strictEqual(remove.length, 2)
  })

  it("ISO weeks at year ends", () => {
    assert.strictEqual(Retention.isoWeek(2026, 12, 31), "2026-W53")
    assert.strictEqual(Retention.isoWeek(2027, 1, 3), "2026-W53")
    assert.strictEqual(Retention.isoWeek(2027, 1, 4), "2027-W01")
    assert.strictEqual(Retention.isoWeek(2024, 12, 30), "2025-W01")
    assert.strictEqual(Retention.isoWeek(2021, 1, 3), "2020-W53")
  })

  it.prop(
    "partitions the input, keeps the newest, at most daily + weekly + monthly, and pruning again deletes nothing",
    [
      FastCheck.array(FastCheck.integer({ min: 0, max: 3 * 365 * 24 }), { maxLength: 200 }),
      FastCheck.record({
        daily: FastCheck.integer({ min: 0, max: 10 }),
        weekly: FastCheck.integer({ min: 0, max: 6 }),
        monthly: FastCheck.integer({ min: 0, max: 14 })
      })
    ],
    ([hours, policy]) => {
      const backups = hours.map((h, i) => ({
        name: `b${i}`,
        at: DateTime.unsafeMake(Date.UTC(2025, 0, 1) + h * 3.6e6)
      }))
      const { keep, remove } = Retention.select(backups, policy, moscow)
      assert.strictEqual(keep.length + remove.length, backups.length)
      assert.isTrue(keep.every((b) => !remove.includes(b)))
      assert.isAtMost(keep.length, policy.daily + policy.weekly + policy.monthly)
      const newest = Math.max(...backups.map((b) => DateTime.toEpochMillis(b.at)))
      if (backups.length > 0 && policy.daily + policy.weekly + policy.monthly > 0) {
        assert.isTrue(keep.some((b) => DateTime.toEpochMillis(b.at) === newest))
      }
      assert.strictEqual(Retention.select(keep, policy, moscow).remove.length, 0)
    }
  )
})

describe("backup files", () => {
  it("names sort by time and parse back; other names are not backups", () => {
    const name = Backup.fileName("postgres", at("2026-03-02T02:00:00.042Z"))
    assert.strictEqual(name, "taskdesk-2026-03-02T02-00-00.042Z.pg.jsonl.gz")
    assert.deepStrictEqual(
      Option.map(Backup.parseName(name), (p) => [p.kind, DateTime.formatIso(p.at)]),
      Option.some(["postgres", "2026-03-02T02:00:00.042Z"])
    )
    assert.isTrue(Option.isNone(Backup.parseName("notes.txt")))
    assert.isTrue(Option.isNone(Backup.parseName("taskdesk-2026-13-02T02-00-00.000Z.sqlite.partial")))
  })

  it.effect("pruning deletes only the backups retention drops, never other files", () =>
    Effect.gen(function* () {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-prune-"))
      for (let day = 1; day <= 20; day++) {
        Fs.writeFileSync(
          Path.join(dir, Backup.fileName("sqlite", at(`2026-03-${String(day).padStart(2, "0")}T02:00:00Z`))),
          ""
        )
      }
      Fs.writeFileSync(Path.join(dir, "README"), "mine")
      const removed = yield* Backup.prune(dir, { daily: 7, weekly: 0, monthly: 0 }, utc)
      assert.strictEqual(removed.length, 13)
      assert.strictEqual((yield* Backup.list(dir)).length, 7)
      assert.isTrue(Fs.existsSync(Path.join(dir, "README")))
    })
  )
})

const everything = { after: Option.none(), about: Option.none(), limit: 1_000 }

/** Creates a task as the system. */
const createTask = (title: string) =>
  Effect.flatMap(Tasks.Tasks, (tasks) => tasks.create({ title })).pipe(Actor.asSystem, Effect.orDie)

const titleOf = (id: string) =>
  Effect.flatMap(Tasks.Tasks, (tasks) => tasks.get(id as never)).pipe(
    Actor.asSystem,
    Effect.map((t) => t.title),
    Effect.catchTag("NotFound", () => Effect.succeed("(gone)"))
  )

/** Backs up, changes and deletes, restores, and finds the data as it was at the backup. */
const roundTrip = <E>(
  domain: Layer.Layer<TaskDesk.Services | Backup.DatabaseBackup | Storage.Storage, E>,
  reopen: boolean
) =>
  Effect.gen(function* () {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-backup-"))
    const { kept, deleted, file, events } = yield* Effect.gen(function* () {
      const kept = yield* createTask("Kept as it was")
      const deleted = yield* createTask("Deleted after the backup")
      const events = (yield* (yield* EventLog.EventLog).list(everything)).length
      const file = yield* (yield* Backup.DatabaseBackup).backup(dir, yield* DateTime.now)
      const tasks = yield* Tasks.Tasks
      yield* tasks.update(kept.id, { title: "Changed after the backup" }).pipe(Actor.asSystem, Effect.orDie)
      yield* tasks.delete(deleted.id).pipe(Actor.asSystem, Effect.orDie)
      yield* createTask("Made after the backup")
      if (!reopen) yield* (yield* Backup.DatabaseBackup).restore(file.path)
      return { kept, deleted, file, events }
    }).pipe(Effect.provide(domain))
    assert.strictEqual(Path.dirname(file.path), dir)
    assert.deepStrictEqual(Fs.readdirSync(dir), [file.name])
    return yield* Effect.gen(function* () {
      if (reopen) yield* (yield* Backup.DatabaseBackup).restore(file.path)
      assert.strictEqual(yield* titleOf(kept.id), "Kept as it was")
      assert.strictEqual(yield* titleOf(deleted.id), "Deleted after the backup")
      const log = yield* EventLog.EventLog
      assert.strictEqual((yield* log.list(everything)).length, events)
      // The restored database goes on working: new events follow the restored ones.
      const later = yield* createTask("After the restore")
      assert.strictEqual(yield* titleOf(later.id), "After the restore")
      assert.strictEqual((yield* log.list(everything)).length, events + 1)
    }).pipe(Effect.provide(domain))
  })

const onStorage = <E>(
  storage: Layer.Layer<Storage.Storage | Backup.DatabaseBackup, E>
): Layer.Layer<TaskDesk.Services | Storage.Storage | Backup.DatabaseBackup, E> =>
  TaskDesk.layer.pipe(Layer.provideMerge(Layer.merge(storage, TaskDesk.layerDefaults)))

describe("SQLite backup and restore", () => {
  const sqlite = (filename: string) =>
    onStorage(Layer.merge(SqlStorage.layerSqlite({ filename }), Backup.DatabaseBackup.layerSqlite(filename)))

  it.live("restores into a closed database: the data of the backup, not what changed after", () =>
    Effect.gen(function* () {
      const filename = Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-db-")), "taskdesk.db")
      yield* roundTrip(sqlite(filename), true)
    })
  )

  it.live("restores under an open connection, which then reads the restored data", () =>
    Effect.gen(function* () {
      const filename = Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-db-")), "taskdesk.db")
      yield* roundTrip(sqlite(filename), false)
    })
  )

  it.live("two backups in one millisecond get two files; neither replaces the other", () =>
    Effect.gen(function* () {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-db-"))
      const filename = Path.join(dir, "taskdesk.db")
      yield* Effect.provide(createTask("Once"), sqlite(filename))
      const now = at("2026-03-02T02:00:00Z")
      const first = yield* Backup.backupSqlite(filename, Path.join(dir, "b"), now)
      const second = yield* Backup.backupSqlite(filename, Path.join(dir, "b"), now)
      assert.deepStrictEqual(
        [first.name, second.name],
        ["taskdesk-2026-03-02T02-00-00.000Z.sqlite", "taskdesk-2026-03-02T02-00-00.001Z.sqlite"]
      )
      assert.deepStrictEqual(Fs.readdirSync(Path.join(dir, "b")).sort(), [first.name, second.name])
    })
  )

  it.live("a backup deletes the partial files a killed backup left, and leaves other files alone", () =>
    Effect.gen(function* () {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-db-"))
      const filename = Path.join(dir, "taskdesk.db")
      const backups = Path.join(dir, "b")
      yield* Effect.provide(createTask("Once"), sqlite(filename))
      Fs.mkdirSync(backups)
      Fs.writeFileSync(Path.join(backups, ".taskdesk-2026-03-01T02-00-00.000Z.sqlite.partial"), "half a backup")
      Fs.writeFileSync(Path.join(backups, "notes.txt"), "mine")
      const file = yield* Backup.backupSqlite(filename, backups, at("2026-03-02T02:00:00Z"))
      assert.deepStrictEqual(Fs.readdirSync(backups).sort(), ["notes.txt", file.name])
    })
  )

  it.live("a restore into a database another connection holds a write lock on fails and changes nothing", () =>
    Effect.gen(function* () {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-db-"))
      const filename = Path.join(dir, "taskdesk.db")
      yield* Effect.provide(createTask("In the backup"), sqlite(filename))
      const file = yield* Backup.backupSqlite(filename, Path.join(dir, "b"), at("2026-03-02T02:00:00Z"))
      yield* Effect.provide(createTask("After the backup"), sqlite(filename))
      // A server in the middle of a write: the backup API cannot get the destination's lock.
      const writer = new Database(filename, { timeout: 0 })
      writer.pragma("journal_mode = WAL")
      writer.exec("BEGIN IMMEDIATE")
      writer.prepare("INSERT INTO taskdesk_migrations SELECT * FROM taskdesk_migrations WHERE 0").run()
      const error = yield* Backup.restoreSqlite(file.path, filename).pipe(
        Effect.flip,
        Effect.ensuring(Effect.sync(() => writer.exec("ROLLBACK")))
      )
      writer.close()
      assert.match(error.message, /copied nothing|did not take|locked|busy/i)
      const tasks = new Database(filename, { readonly: true })
      const titles = tasks.prepare("SELECT title FROM tasks ORDER BY title").pluck().all()
      tasks.close()
      assert.deepStrictEqual(titles, ["After the backup", "In the backup"])
    })
  )

  it.live("a restore reads the database back and reports its rows per table", () =>
    Effect.gen(function* () {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-db-"))
      const filename = Path.join(dir, "taskdesk.db")
      yield* Effect.provide(createTask("In the backup"), sqlite(filename))
      const file = yield* Backup.backupSqlite(filename, Path.join(dir, "b"), at("2026-03-02T02:00:00Z"))
      yield* Effect.provide(createTask("After the backup"), sqlite(filename))
      const restored = yield* Backup.restoreSqlite(file.path, filename)
      assert.strictEqual(restored.tables.tasks, 1)
      assert.isAbove(restored.tables.taskdesk_migrations ?? 0, 0)
    })
  )

  it.live("refuses a file that is not a taskdesk database, and leaves the database alone", () =>
    Effect.gen(function* () {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-db-"))
      const bogus = Path.join(dir, "bogus.sqlite")
      Fs.writeFileSync(bogus, "not a database at all, just text that is long enough to look like something")
      const error = yield* Backup.restoreSqlite(bogus, Path.join(dir, "taskdesk.db")).pipe(Effect.flip)
      assert.match(error.message, /is not a usable backup/)
      assert.isFalse(Fs.existsSync(Path.join(dir, "taskdesk.db")))
    })
  )
})

describePg("PostgreSQL", () => {
  describe("PostgreSQL export and restore", () => {
    const pg = (schema: string) => {
      const client = SqlStorage.clientPg({ url: pgUrl, schema })
      return onStorage(
        Layer.merge(SqlStorage.repositories, Backup.DatabaseBackup.layerPg).pipe(
          Layer.provide(Layer.effectDiscard(Migrations.run)),
          Layer.provideMerge(client)
        )
      )
    }

    it.live("restores every table from the export; the event sequence goes on after the restored events", () =>
      Effect.gen(function* () {
        const schema = yield* freshSchema("backup")
        yield* roundTrip(pg(schema), false)
      }).pipe(Effect.scoped)
    )

    it.live("refuses an export that is cut short, changing nothing", () =>
      Effect.gen(function* () {
        const schema = yield* freshSchema("backup_cut")
        const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-backup-"))
        yield* Effect.gen(function* () {
          const task = yield* createTask("Survives a bad restore")
          const file = yield* (yield* Backup.DatabaseBackup).backup(dir, yield* DateTime.now)
          const lines = Zlib.gunzipSync(Fs.readFileSync(file.path)).toString("utf8").trimEnd().split("\n")
          const cut = Path.join(dir, "cut.pg.jsonl.gz")
          Fs.writeFileSync(cut, Zlib.gzipSync(`${lines.slice(0, -1).join("\n")}\n`))
          const error = yield* (yield* Backup.DatabaseBackup).restore(cut).pipe(Effect.flip)
          assert.match(error.message, /cut short/)
          assert.strictEqual(yield* titleOf(task.id), "Survives a bad restore")
        }).pipe(Effect.provide(pg(schema)))
      }).pipe(Effect.scoped)
    )
  })
})
