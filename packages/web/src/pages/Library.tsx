import type { Template, User } from "@taskdesk/core"
import { DateTime } from "effect"
import { useState } from "react"
import { ApiFailure, call } from "../api.js"
import { useT } from "../i18n.js"
import { Notice, useAction, useLoad } from "../ui.js"

interface Row {
  readonly template: Template.TaskTemplate
  readonly person: User.User
}

const receivers = new Set(["worker", "manager", "admin", "partner"])

/** The task library: pick templates and people, set a due date, hand it all out in one batch. */
const Library = () => {
  const { t } = useT()
  const templates = useLoad(() => call((c) => c.templates.list({ urlParams: {} })), [])
  const people = useLoad(() => call((c) => c.users.list({ urlParams: { active: true } })), [])
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set())
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set())
  const [due, setDue] = useState("")
  const [problems, setProblems] = useState<ReadonlyMap<number, ReadonlyArray<string>>>(new Map())
  const [message, setMessage] = useState<string | undefined>(undefined)
  const action = useAction()
  const toggle = (set: ReadonlySet<string>, id: string) => {
    // The rows change, so the problems of the refused batch no longer name them.
    setProblems(new Map())
    const next = new Set(set)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    return next
  }
  const workers = (people.data ?? []).filter((u) => receivers.has(u.role))
  const rows: ReadonlyArray<Row> = (templates.data ?? [])
    .filter((tpl) => picked.has(tpl.id))
    .flatMap((template) => workers.filter((p) => chosen.has(p.id)).map((person) => ({ template, person })))
  const submit = async (event: { preventDefault: () => void }) => {
    event.preventDefault()
    setMessage(undefined)
    setProblems(new Map())
    const dueAt = due === "" ? undefined : DateTime.unsafeMake(new Date(due))
    const items = rows.map((r) => ({
      templateId: r.template.id,
      assigneeId: r.person.id,
      ...(dueAt === undefined ? {} : { dueAt })
    }))
    const ok = await action.run(
      async () => {
        const made = await call((c) => c.assignments.batch({ payload: { items } }))
        setMessage(t("assigned", { count: made.length }))
        setPicked(new Set())
        setChosen(new Set())
      },
      (failure) => {
        if (failure instanceof ApiFailure && failure.tag === "BatchRejected") {
          const byRow = new Map<number, Array<string>>()
          for (const p of (
            failure.error as { problems: ReadonlyArray<{ index: number; field: string; message: string }> }
          ).problems) {
            byRow.set(p.index, [...(byRow.get(p.index) ?? []), `${p.field}: ${p.message}`])
          }
          setProblems(byRow)
        }
      }
    )
    return ok
  }
  return (
    <section className="library">
      <h1>{t("library")}</h1>
      <Notice kind="error">{action.error ?? templates.error ?? people.error}</Notice>
      <Notice kind="info">{message}</Notice>
      <form onSubmit={submit}>
        <div className="pickers">
          <fieldset>
            <legend>{t("templates")}</legend>
            {(templates.data ?? []).map((tpl) => (
              <label key={tpl.id} className="check">
                <input
                  type="checkbox"
                  checked={picked.has(tpl.id)}
                  onChange={() => setPicked((s) => toggle(s, tpl.id))}
                />
                {tpl.title}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>{t("people")}</legend>
            {workers.map((p) => (
              <label key={p.id} className="check">
                <input type="checkbox" checked={chosen.has(p.id)} onChange={() => setChosen((s) => toggle(s, p.id))} />
                {p.name} ({p.role})
              </label>
            ))}
          </fieldset>
        </div>
        <label>
          {t("dueDate")}
          <input type="datetime-local" name="due" value={due} onInput={(e) => setDue(e.currentTarget.value)} />
        </label>
        {rows.length > 0 ? (
          <table className="rows">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t("templates")}</th>
                <th scope="col">{t("assignee")}</th>
                <th scope="col">{t("reason")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={`${r.template.id}-${r.person.id}`} className={problems.has(i) ? "bad" : undefined}>
                  <td>{i + 1}</td>
                  <td>{r.template.title}</td>
                  <td>{r.person.name}</td>
                  <td className="problem" role={problems.has(i) ? "alert" : undefined}>
                    {problems.get(i)?.join("; ") ?? ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <button type="submit" disabled={action.busy || rows.length === 0}>
          {t("assignSelected")} ({rows.length})
        </button>
      </form>
    </section>
  )
}

export default Library
