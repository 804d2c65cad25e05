import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { typesOf } from "./types.js"

/**
 * Users, tasks, projects and the event log. Frozen once released: change the schema in a new
 * numbered migration, never here.
 *
 * Assignee ids, tags and member ids are stored twice: as JSON text on the row, so a point read is
 * one statement, and as rows of `task_assignees` / `task_tags` / `project_members`, indexed for the
 * filters. Triggers keep the rows in step with the JSON (and `task_assignees` with the task's sort
 * and status columns), so no writer can forget them.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const t = typesOf(sql)

  const statements = [
    `CREATE TABLE users (
      id ${t.key} PRIMARY KEY NOT NULL,
      name ${t.key} NOT NULL,
      username ${t.text} NOT NULL,
      username_key ${t.key} NOT NULL UNIQUE,
      email ${t.text},
      telegram_id ${t.bigint} UNIQUE,
      dingtalk_id ${t.key} UNIQUE,
      role ${t.key} NOT NULL,
      language ${t.text} NOT NULL,
      active ${t.boolean} NOT NULL,
      created_at ${t.bigint} NOT NULL,
      updated_at ${t.bigint} NOT NULL
    )`,
    `CREATE INDEX users_by_name ON users (name, id)`,
    `CREATE INDEX users_by_role ON users (role, name, id)`,

    `CREATE TABLE projects (
      id ${t.key} PRIMARY KEY NOT NULL,
      name ${t.key} NOT NULL,
      description ${t.text} NOT NULL,
      owner_id ${t.key} NOT NULL,
      member_ids ${t.text} NOT NULL,
      archived ${t.boolean} NOT NULL,
      created_at ${t.bigint} NOT NULL,
      updated_at ${t.bigint} NOT NULL,
      version ${t.integer} NOT NULL
    )`,
    `CREATE INDEX projects_by_name ON projects (name, id)`,
    `CREATE INDEX projects_by_owner ON projects (owner_id, name, id)`,
    `CREATE TABLE project_members (
      project_id ${t.key} NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      user_id ${t.key} NOT NULL,
      PRIMARY KEY (project_id, user_id)
    )`,
    `CREATE INDEX project_members_by_user ON project_members (user_id, project_id)`,

    `CREATE TABLE tasks (
      id ${t.key} PRIMARY KEY NOT NULL,
      title ${t.text} NOT NULL,
      description ${t.text} NOT NULL,
      status ${t.key} NOT NULL,
      priority ${t.text} NOT NULL,
      priority_rank ${t.integer} NOT NULL,
      assignee_ids ${t.text} NOT NULL,
      created_by ${t.key} NOT NULL,
      project_id ${t.key},
      due_at ${t.bigint},
      tags ${t.text} NOT NULL,
      created_at ${t.bigint} NOT NULL,
      updated_at ${t.bigint} NOT NULL,
      completed_at ${t.bigint},
      version ${t.integer} NOT NULL,
      title_search ${t.text} NOT NULL,
      description_search ${t.text} NOT NULL
    )`,
    // One index per sort (value, then id) and one per filter, led by the filtered column.
    `CREATE INDEX tasks_by_created ON tasks (created_at, id, project_id)`,
    `CREATE INDEX tasks_by_updated ON tasks (updated_at, id)`,
    `CREATE INDEX tasks_by_priority ON tasks (priority_rank, id)`,
    `CREATE INDEX tasks_by_due ON tasks (due_at, id)`,
    `CREATE INDEX tasks_by_status ON tasks (status, created_at, id)`,
    // The statistics count three time ranges; these cover them, project and id included.
    `CREATE INDEX tasks_by_status_completed ON tasks (status, completed_at, id, project_id)`,
    `CREATE INDEX tasks_by_status_due ON tasks (status, due_at, id, project_id)`,
    `CREATE INDEX tasks_by_creator ON tasks (created_by, created_at, id)`,
    `CREATE INDEX tasks_by_project ON tasks (project_id, created_at, id)`,
    // A person's tasks ("mine", by status, newest first or by due time) are the busiest lists: their
    // rows carry the task's sort and status columns, so such a page is read off one index in order.
    // The other sorts of a person's tasks sort that person's rows; an index each would cost every write.
    `CREATE TABLE task_assignees (
      user_id ${t.key} NOT NULL,
      task_id ${t.key} NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
      status ${t.key} NOT NULL,
      priority_rank ${t.integer} NOT NULL,
      due_at ${t.bigint},
      created_at ${t.bigint} NOT NULL,
      updated_at ${t.bigint} NOT NULL,
      PRIMARY KEY (user_id, task_id)
    )`,
    `CREATE INDEX task_assignees_by_task ON task_assignees (task_id, user_id)`,
    `CREATE INDEX task_assignees_by_created ON task_assignees (user_id, created_at, task_id, status)`,
    `CREATE INDEX task_assignees_by_due ON task_assignees (user_id, due_at, task_id, status)`,
    `CREATE TABLE task_tags (
      task_id ${t.key} NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
      tag ${t.key} NOT NULL,
      PRIMARY KEY (task_id, tag)
    )`,
    `CREATE INDEX task_tags_by_tag ON task_tags (tag, task_id)`,

    `CREATE TABLE events (
      sequence ${t.sequence},
      at ${t.bigint} NOT NULL,
      actor_id ${t.text} NOT NULL,
      subject_kind ${t.key} NOT NULL,
      subject_id ${t.key} NOT NULL,
      parent_kind ${t.key},
      parent_id ${t.key},
      type ${t.text} NOT NULL,
      payload ${t.text} NOT NULL
    )`,
    `CREATE INDEX events_by_subject ON events (subject_id, subject_kind, sequence)`,
    `CREATE INDEX events_by_parent ON events (parent_id, parent_kind, sequence)`
  ]
  for (const statement of statements) yield* sql.unsafe(statement)

  yield* sql.onDialectOrElse({
    pg: () =>
      Effect.flatMap(sql<{ readonly schema: string }>`SELECT current_schema() AS schema`, ([row]) =>
        Effect.forEach(pgTriggers(row!.schema), (statement) => sql.unsafe(statement), { discard: true })
      ),
    // CREATE TRIGGER cannot be a prepared statement in MySQL: sent as plain text.
    mysql: () =>
      Effect.forEach(
        [
          // The row event appends lock until they commit, so sequences grow in commit order (`Dialect`).
          `CREATE TABLE taskdesk_locks (name ${t.key} PRIMARY KEY NOT NULL)`,
          `INSERT INTO taskdesk_locks (name) VALUES ('events')`,
          ...mysqlTriggers
        ],
        (statement) => sql.unsafe(statement).unprepared,
        { discard: true }
      ),
    orElse: () =>
      Effect.forEach(
        [
          `CREATE TRIGGER tasks_index_insert AFTER INSERT ON tasks BEGIN
            INSERT OR IGNORE INTO task_assignees (user_id, task_id, status, priority_rank, due_at, created_at, updated_at)
              SELECT value, NEW.id, NEW.status, NEW.priority_rank, NEW.due_at, NEW.created_at, NEW.updated_at
              FROM json_each(NEW.assignee_ids);
            INSERT OR IGNORE INTO task_tags (task_id, tag) SELECT NEW.id, value FROM json_each(NEW.tags);
          END`,
          `CREATE TRIGGER tasks_index_assignees AFTER UPDATE OF assignee_ids ON tasks
            WHEN OLD.assignee_ids IS NOT NEW.assignee_ids BEGIN
            DELETE FROM task_assignees WHERE task_id = NEW.id;
            INSERT OR IGNORE INTO task_assignees (user_id, task_id, status, priority_rank, due_at, created_at, updated_at)
              SELECT value, NEW.id, NEW.status, NEW.priority_rank, NEW.due_at, NEW.created_at, NEW.updated_at
              FROM json_each(NEW.assignee_ids);
          END`,
          `CREATE TRIGGER tasks_index_assignee_columns AFTER UPDATE ON tasks
            WHEN OLD.assignee_ids IS NEW.assignee_ids AND (OLD.status IS NOT NEW.status
              OR OLD.priority_rank IS NOT NEW.priority_rank OR OLD.due_at IS NOT NEW.due_at
              OR OLD.created_at IS NOT NEW.created_at OR OLD.updated_at IS NOT NEW.updated_at) BEGIN
            UPDATE task_assignees SET status = NEW.status, priority_rank = NEW.priority_rank, due_at = NEW.due_at,
              created_at = NEW.created_at, updated_at = NEW.updated_at
              WHERE task_id = NEW.id;
          END`,
          `CREATE TRIGGER tasks_index_tags AFTER UPDATE OF tags ON tasks
            WHEN OLD.tags IS NOT NEW.tags BEGIN
            DELETE FROM task_tags WHERE task_id = NEW.id;
            INSERT OR IGNORE INTO task_tags (task_id, tag) SELECT NEW.id, value FROM json_each(NEW.tags);
          END`,
          `CREATE TRIGGER projects_index_insert AFTER INSERT ON projects BEGIN
            INSERT OR IGNORE INTO project_members (project_id, user_id) SELECT NEW.id, value FROM json_each(NEW.member_ids);
          END`,
          `CREATE TRIGGER projects_index_members AFTER UPDATE OF member_ids ON projects
            WHEN OLD.member_ids IS NOT NEW.member_ids BEGIN
            DELETE FROM project_members WHERE project_id = NEW.id;
            INSERT OR IGNORE INTO project_members (project_id, user_id) SELECT NEW.id, value FROM json_each(NEW.member_ids);
          END`
        ],
        (statement) => sql.unsafe(statement),
        { discard: true }
      )
  })
})

/**
 * PostgreSQL's triggers. Their functions name the tables with the schema they were created in, so
 * they work whatever `search_path` the session that fires them has.
 */
const pgTriggers = (schema: string): ReadonlyArray<string> => {
  const s = `"${schema.replaceAll('"', '""')}"`
  return [
    `CREATE FUNCTION taskdesk_index_task() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF TG_OP = 'UPDATE' THEN
              IF NEW.assignee_ids IS DISTINCT FROM OLD.assignee_ids THEN
                DELETE FROM ${s}.task_assignees WHERE task_id = NEW.id;
                INSERT INTO ${s}.task_assignees (user_id, task_id, status, priority_rank, due_at, created_at, updated_at)
                  SELECT DISTINCT value, NEW.id, NEW.status, NEW.priority_rank, NEW.due_at, NEW.created_at, NEW.updated_at
                  FROM jsonb_array_elements_text(NEW.assignee_ids::jsonb);
              ELSIF (NEW.status, NEW.priority_rank, NEW.due_at, NEW.created_at, NEW.updated_at)
                  IS DISTINCT FROM (OLD.status, OLD.priority_rank, OLD.due_at, OLD.created_at, OLD.updated_at) THEN
                UPDATE ${s}.task_assignees SET status = NEW.status, priority_rank = NEW.priority_rank, due_at = NEW.due_at,
                  created_at = NEW.created_at, updated_at = NEW.updated_at
                  WHERE task_id = NEW.id;
              END IF;
              IF NEW.tags IS DISTINCT FROM OLD.tags THEN
                DELETE FROM ${s}.task_tags WHERE task_id = NEW.id;
                INSERT INTO ${s}.task_tags (task_id, tag)
                  SELECT DISTINCT NEW.id, value FROM jsonb_array_elements_text(NEW.tags::jsonb);
              END IF;
            ELSE
              INSERT INTO ${s}.task_assignees (user_id, task_id, status, priority_rank, due_at, created_at, updated_at)
                SELECT DISTINCT value, NEW.id, NEW.status, NEW.priority_rank, NEW.due_at, NEW.created_at, NEW.updated_at
                FROM jsonb_array_elements_text(NEW.assignee_ids::jsonb);
              INSERT INTO ${s}.task_tags (task_id, tag)
                SELECT DISTINCT NEW.id, value FROM jsonb_array_elements_text(NEW.tags::jsonb);
            END IF;
            RETURN NULL;
          END $$`,
    `CREATE TRIGGER tasks_index AFTER INSERT OR UPDATE ON tasks
            FOR EACH ROW EXECUTE FUNCTION taskdesk_index_task()`,
    `CREATE FUNCTION taskdesk_index_project() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF TG_OP = 'UPDATE' THEN
              IF NEW.member_ids IS DISTINCT FROM OLD.member_ids THEN
                DELETE FROM ${s}.project_members WHERE project_id = NEW.id;
                INSERT INTO ${s}.project_members (project_id, user_id)
                  SELECT DISTINCT NEW.id, value FROM jsonb_array_elements_text(NEW.member_ids::jsonb);
              END IF;
            ELSE
              INSERT INTO ${s}.project_members (project_id, user_id)
                SELECT DISTINCT NEW.id, value FROM jsonb_array_elements_text(NEW.member_ids::jsonb);
            END IF;
            RETURN NULL;
          END $$`,
    `CREATE TRIGGER projects_index AFTER INSERT OR UPDATE ON projects
            FOR EACH ROW EXECUTE FUNCTION taskdesk_index_project()`
  ]
}

/** The rows of a JSON array of strings, for MySQL's triggers (JSON_TABLE: MySQL 8, MariaDB 10.6). */
const mysqlElements = (json: string) => `JSON_TABLE(${json}, '$[*]' COLUMNS (value VARCHAR(255) PATH '$')) AS j`

/**
 * MySQL's and MariaDB's triggers: the same work as PostgreSQL's, one trigger per table and event.
 * `INSERT IGNORE` drops repeated elements of an array (the primary key), as SQLite's `OR IGNORE` does.
 */
const mysqlTriggers: ReadonlyArray<string> = [
  `CREATE TRIGGER tasks_index_insert AFTER INSERT ON tasks FOR EACH ROW BEGIN
    INSERT IGNORE INTO task_assignees (user_id, task_id, status, priority_rank, due_at, created_at, updated_at)
      SELECT j.value, NEW.id, NEW.status, NEW.priority_rank, NEW.due_at, NEW.created_at, NEW.updated_at
      FROM ${mysqlElements("NEW.assignee_ids")};
    INSERT IGNORE INTO task_tags (task_id, tag) SELECT NEW.id, j.value FROM ${mysqlElements("NEW.tags")};
  END`,
  `CREATE TRIGGER tasks_index_update AFTER UPDATE ON tasks FOR EACH ROW BEGIN
    IF NOT (NEW.assignee_ids <=> OLD.assignee_ids) THEN
      DELETE FROM task_assignees WHERE task_id = NEW.id;
      INSERT IGNORE INTO task_assignees (user_id, task_id, status, priority_rank, due_at, created_at, updated_at)
        SELECT j.value, NEW.id, NEW.status, NEW.priority_rank, NEW.due_at, NEW.created_at, NEW.updated_at
        FROM ${mysqlElements("NEW.assignee_ids")};
    ELSEIF NOT (NEW.status <=> OLD.status AND NEW.priority_rank <=> OLD.priority_rank AND NEW.due_at <=> OLD.due_at
        AND NEW.created_at <=> OLD.created_at AND NEW.updated_at <=> OLD.updated_at) THEN
      UPDATE task_assignees SET status = NEW.status, priority_rank = NEW.priority_rank, due_at = NEW.due_at,
        created_at = NEW.created_at, updated_at = NEW.updated_at
        WHERE task_id = NEW.id;
    END IF;
    IF NOT (NEW.tags <=> OLD.tags) THEN
      DELETE FROM task_tags WHERE task_id = NEW.id;
      INSERT IGNORE INTO task_tags (task_id, tag) SELECT NEW.id, j.value FROM ${mysqlElements("NEW.tags")};
    END IF;
  END`,
  `CREATE TRIGGER projects_index_insert AFTER INSERT ON projects FOR EACH ROW BEGIN
    INSERT IGNORE INTO project_members (project_id, user_id) SELECT NEW.id, j.value FROM ${mysqlElements("NEW.member_ids")};
  END`,
  `CREATE TRIGGER projects_index_update AFTER UPDATE ON projects FOR EACH ROW BEGIN
    IF NOT (NEW.member_ids <=> OLD.member_ids) THEN
      DELETE FROM project_members WHERE project_id = NEW.id;
      INSERT IGNORE INTO project_members (project_id, user_id)
        SELECT NEW.id, j.value FROM ${mysqlElements("NEW.member_ids")};
    END IF;
  END`
]
