import { type AuditEvent, Task } from "@taskdesk/core"
import { useMemo, useState } from "react"
import { call } from "../api.js"
import { loadPeople } from "../data.js"
import { useT } from "../i18n.js"
import { onLink } from "../router.js"
import { formatDate, Notice, useAction, useLoad } from "../ui.js"

const show = (u: unknown): string =>
  u === null || u === undefined ? "—" : typeof u === "string" ? u : JSON.stringify(u)

/** What an audit event changed, as `field: old → new` lines (a status move names both states). */
const changesOf = (event: AuditEvent.AuditEvent): ReadonlyArray<string> => {
  const payload = event.payload as {
    changes?: ReadonlyArray<{ field: string; from: unknown; to: unknown }>
    from?: unknown
    to?: unknown
  }
  const lines = (payload.changes ?? []).map((c) => `${c.field}: ${show(c.from)} → ${show(c.to)}`)
  if (payload.changes === undefined && typeof payload.from === "string" && typeof payload.to === "string") {
    lines.push(`status: ${payload.from} → ${payload.to}`)
  }
  return lines
}

/** One task: details, assignees, comments and its history, oldest first. */
const TaskPage = ({ id }: { id: string }) => {
  const { t, language } = useT()
  const taskId = id as Task.Task["id"]
  const task = useLoad(() => call((c) => c.tasks.get({ path: { id: taskId } })), [id])
  const comments = useLoad(() => call((c) => c.tasks.listComments({ path: { id: taskId } })), [id])
  const history = useLoad(() => call((c) => c.tasks.history({ path: { id: taskId } })), [id])
  const people = useLoad(loadPeople, [])
  const names = useMemo(() => new Map((people.data ?? []).map((u) => [u.id as string, u.name])), [people.data])
  const [body, setBody] = useState("")
  const action = useAction()
  return (
    <article className="task-page">
      <p>
        <a href="/board" onClick={onLink("/board")}>
          ← {t("back")}
        </a>
      </p>
      <Notice kind="error">{task.error ?? action.error}</Notice>
      {task.data === undefined ? null : (
        <>
          <h1>{task.data.title}</h1>
          <dl className="details">
            <dt>{t("status")}</dt>
            <dd>{t(`status_${task.data.status}`)}</dd>
            <dt>{t("priority")}</dt>
            <dd>{t(`priority_${task.data.priority}`)}</dd>
            <dt>{t("due")}</dt>
            <dd>{task.data.dueAt._tag === "Some" ? formatDate(task.data.dueAt.value, language) : "—"}</dd>
            <dt>{t("assignees")}</dt>
            <dd>{task.data.assigneeIds.map((a) => names.get(a) ?? a).join(", ") || "—"}</dd>
            <dt>{t("tag")}</dt>
            <dd>{task.data.tags.join(", ") || "—"}</dd>
          </dl>
          <fieldset className="actions moves">
            <legend className="sr-only">{t("moveTo")}</legend>
            {/* The legal moves only, as buttons: the board's drag and arrow keys are not there on a phone. */}
            {Task.transitions[task.data.status].map((to) => (
              <button
                key={to}
                type="button"
                disabled={action.busy}
                onClick={async () => {
                  const current = task.data
                  if (current === undefined) return
                  const ok = await action.run(async () => {
                    const updated = await call((c) =>
                      c.tasks.update({
                        path: { id: taskId },
                        headers: { "if-match": `"${current.version}"` },
                        payload: { status: to }
                      })
                    )
                    task.setData(updated)
                  })
                  if (ok) history.reload()
                  else task.reload()
                }}
              >
                {t("moveTo")}: {t(`status_${to}`)}
              </button>
            ))}
          </fieldset>
          <h2>{t("description")}</h2>
          <p className="description">{task.data.description || "—"}</p>
        </>
      )}
      <h2>{t("comments")}</h2>
      <ul className="comments">
        {(comments.data ?? []).map((c) => (
          <li key={c.id}>
            <strong>{names.get(c.authorId) ?? c.authorId}</strong> <time>{formatDate(c.createdAt, language)}</time>
            <p>{c.body}</p>
          </li>
        ))}
      </ul>
      <form
        onSubmit={async (e) => {
          e.preventDefault()
          if (await action.run(() => call((c) => c.tasks.addComment({ path: { id: taskId }, payload: { body } })))) {
            setBody("")
            comments.reload()
            history.reload()
          }
        }}
      >
        <label>
          {t("comment")}
          <textarea required value={body} onInput={(e) => setBody(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          {t("addComment")}
        </button>
      </form>
      <h2>{t("history")}</h2>
      <ol className="history">
        {(history.data ?? []).map((event) => (
          <li key={String(event.sequence)}>
            <time>{formatDate(event.at, language)}</time> <strong>{event.type}</strong> {names.get(event.actorId) ?? ""}
            {changesOf(event).length > 0 ? (
              <ul>
                {changesOf(event).map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
    </article>
  )
}

export default TaskPage
