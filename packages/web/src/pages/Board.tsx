import { type Project, Task, type User } from "@taskdesk/core"
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react"
import { call } from "../api.js"
import { loadPeople, loadProjects, loadTasks, type TaskFilters, takePrefetched } from "../data.js"
import { type Translate, useT } from "../i18n.js"
import { about, useLive } from "../live.js"
import { onLink } from "../router.js"
import { formatDay, Notice, useAction, useLoad } from "../ui.js"

export const columns: ReadonlyArray<Task.TaskStatus> = ["todo", "in_progress", "done", "cancelled"]

// Accepting an assignment moves its task too, so assignment events redraw the board as well.
const relevant = about("task", "assignment")

interface CardProps {
  readonly task: Task.Task
  readonly names: ReadonlyMap<string, string>
  readonly t: Translate
  readonly language: string
  readonly onKeyMove: (task: Task.Task, direction: -1 | 1) => void
}

const Card = memo(({ task, names, t, language, onKeyMove }: CardProps) => {
  const overdue = Task.isOpen(task) && task.dueAt._tag === "Some" && task.dueAt.value.epochMillis < Date.now()
  return (
    <li
      className={`card priority-${task.priority}${overdue ? " overdue" : ""}`}
      draggable
      // A card is operated from the keyboard too (← and → move it), so it takes the focus.
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the card is draggable and moves with the arrow keys
      tabIndex={0}
      data-task-id={task.id}
      aria-label={`${task.title}, ${t(`status_${task.status}`)}`}
      onDragStart={(e) => {
        e.dataTransfer?.setData("text/plain", task.id)
        if (e.dataTransfer) e.dataTransfer.effectAllowed = "move"
      }}
      onKeyDown={(e) => {
        if (e.key === "ArrowRight") {
          e.preventDefault()
          onKeyMove(task, 1)
        } else if (e.key === "ArrowLeft") {
          e.preventDefault()
          onKeyMove(task, -1)
        }
      }}
    >
      <a href={`/tasks/${task.id}`} onClick={onLink(`/tasks/${task.id}`)} className="title">
        {task.title}
      </a>
      <span className={`badge priority-${task.priority}`}>{t(`priority_${task.priority}`)}</span>
      {overdue ? <span className="badge overdue">{t("overdue")}</span> : null}
      {task.dueAt._tag === "Some" ? (
        <span className="due">
          {t("due")}: {formatDay(task.dueAt.value, language)}
        </span>
      ) : null}
      {task.assigneeIds.length > 0 ? (
        <span className="people">{task.assigneeIds.map((id) => names.get(id) ?? id).join(", ")}</span>
      ) : null}
      {task.tags.map((tag) => (
        <span key={tag} className="tag">
          #{tag}
        </span>
      ))}
    </li>
  )
})

/** The kanban board: tasks by status; drag (or ←/→) to move, legal moves only. */
export const Board = () => {
  const { t, language } = useT()
  const [filters, setFilters] = useState<TaskFilters>({})
  // Typing in the text fields asks the server once the typing pauses, not once per key.
  const [typed, setTyped] = useState<{ text?: string; tag?: string }>({})
  useEffect(() => {
    const timer = setTimeout(() => setFilters((f) => ({ ...f, ...typed })), 300)
    return () => clearTimeout(timer)
  }, [typed])
  // The first page of cards shows while the next is fetched; a newer load makes an older one's pages moot.
  const generation = useRef(0)
  const tasks = useLoad(() => {
    const mine = ++generation.current
    const load = () =>
      loadTasks(filters, (sofar) => {
        if (generation.current === mine) tasks.setData(sofar)
      })
    // The first load has no filters yet: what was asked for beside the session check, if anything.
    return mine === 1 ? takePrefetched("tasks", load) : load()
  }, [JSON.stringify(filters)])
  const people = useLoad(() => takePrefetched("people", loadPeople), [])
  const projects = useLoad(() => takePrefetched("projects", loadProjects), [])
  const [message, setMessage] = useState<string | undefined>(undefined)
  const action = useAction()
  const mode = useLive(tasks.reload, relevant)
  const names = useMemo(() => new Map((people.data ?? []).map((u) => [u.id as string, u.name])), [people.data])
  const byStatus = useMemo(() => {
    const groups = new Map<Task.TaskStatus, Array<Task.Task>>(columns.map((c) => [c, []]))
    for (const task of tasks.data ?? []) groups.get(task.status)?.push(task)
    return groups
  }, [tasks.data])

  const move = async (task: Task.Task, to: Task.TaskStatus) => {
    if (task.status === to) return
    setMessage(undefined)
    if (!Task.canTransition(task.status, to)) {
      // The card stays where it was: nothing moved, and the reason is said.
      action.setError(t("err_transition", { from: t(`status_${task.status}`), to: t(`status_${to}`) }))
      return
    }
    const previous = tasks.data
    tasks.setData((previous ?? []).map((x) => (x.id === task.id ? new Task.Task({ ...x, status: to }) : x)))
    const ok = await action.run(async () => {
      const updated = await call((c) =>
        c.tasks.update({
          path: { id: task.id },
          headers: { "if-match": `"${task.version}"` },
          payload: { status: to }
        })
      )
      tasks.setData((current) => (current ?? []).map((x) => (x.id === updated.id ? updated : x)))
    })
    if (ok) setMessage(t("moved", { status: t(`status_${to}`) }))
    else {
      // Refused (someone else moved it, or the server's rules differ): back where it was, then the server's view.
      tasks.setData(previous)
      tasks.reload()
    }
  }
  // The cards keep one handler for their whole life, so a move re-renders only the card that moved.
  const moveRef = useRef(move)
  moveRef.current = move
  const onKeyMove = useCallback((task: Task.Task, direction: -1 | 1) => {
    const next = columns[columns.indexOf(task.status) + direction]
    if (next === undefined) return
    void moveRef.current(task, next).then(() => {
      // The card keeps the focus after a keyboard move, in its new column.
      document.querySelector<HTMLElement>(`[data-task-id="${task.id}"]`)?.focus()
    })
  }, [])
  const set = (patch: Partial<TaskFilters>) => setFilters((f) => ({ ...f, ...patch }))

  return (
    <section className="board-page">
      <h1>{t("board")}</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label={t("filters")}>
        <label>
          {t("search")}
          <input
            type="search"
            name="text"
            onInput={(e) => {
              const text = e.currentTarget.value
              setTyped((x) => ({ ...x, text }))
            }}
          />
        </label>
        <label>
          {t("assignee")}
          <select
            name="assignee"
            onChange={(e) => set({ assigneeId: (e.currentTarget.value || undefined) as User.User["id"] | undefined })}
          >
            <option value="">{t("any")}</option>
            {(people.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("project")}
          <select
            name="project"
            onChange={(e) =>
              set({ projectId: (e.currentTarget.value || undefined) as Project.Project["id"] | undefined })
            }
          >
            <option value="">{t("any")}</option>
            {(projects.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("priority")}
          <select
            name="priority"
            onChange={(e) => set({ priority: (e.currentTarget.value || undefined) as Task.Priority | undefined })}
          >
            <option value="">{t("any")}</option>
            {(["low", "normal", "high", "urgent"] as const).map((p) => (
              <option key={p} value={p}>
                {t(`priority_${p}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("tag")}
          <input
            name="tag"
            onInput={(e) => {
              const tag = e.currentTarget.value
              setTyped((x) => ({ ...x, tag }))
            }}
          />
        </label>
        <label>
          {t("dueBefore")}
          <input type="date" name="dueTo" onChange={(e) => set({ dueTo: e.currentTarget.value })} />
        </label>
      </form>
      <p className="hint">
        {t("keyboardHint")}{" "}
        <span className="live" data-live={mode}>
          {mode === "sse" ? t("live") : mode === "poll" ? t("polling") : ""}
        </span>
      </p>
      <Notice kind="error">{action.error ?? tasks.error}</Notice>
      <Notice kind="info">{message}</Notice>
      {tasks.data === undefined ? (
        <p className="loading">{t("loading")}</p>
      ) : (
        <div className="columns">
          {columns.map((status) => (
            <section
              key={status}
              className="column"
              data-status={status}
              aria-labelledby={`col-${status}`}
              onDragOver={(e) => {
                e.preventDefault()
                if (e.dataTransfer) e.dataTransfer.dropEffect = "move"
              }}
              onDrop={(e) => {
                e.preventDefault()
                const id = e.dataTransfer?.getData("text/plain")
                const task = tasks.data?.find((x) => x.id === id)
                if (task !== undefined) void moveRef.current(task, status)
              }}
            >
              <h2 id={`col-${status}`}>
                {t(`status_${status}`)} <span className="count">{byStatus.get(status)?.length ?? 0}</span>
              </h2>
              <ul>
                {(byStatus.get(status) ?? []).map((task) => (
                  <Card key={task.id} task={task} names={names} t={t} language={language} onKeyMove={onKeyMove} />
                ))}
              </ul>
            </section>
          ))}
        </div>
      )}
    </section>
  )
}
