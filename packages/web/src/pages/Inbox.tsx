import type { Assignment } from "@taskdesk/core"
import { useState } from "react"
import { call } from "../api.js"
import { useT } from "../i18n.js"
import { about, useLive } from "../live.js"
import { onLink } from "../router.js"
import { formatDate, Notice, useAction, useLoad } from "../ui.js"

type Filter = "pending" | "in_progress" | "all"

/** The signed-in person's assignments: accept, reject with a reason, complete. */
const Inbox = () => {
  const { t, language } = useT()
  const [filter, setFilter] = useState<Filter>("pending")
  const inbox = useLoad(() => call((c) => c.assignments.inbox({ urlParams: { status: filter } })), [filter])
  useLive(inbox.reload, about("assignment", "task"))
  const action = useAction()
  const [rejecting, setRejecting] = useState<string | undefined>(undefined)
  const [reason, setReason] = useState("")
  const [message, setMessage] = useState<string | undefined>(undefined)
  const act = async (label: string, f: () => Promise<unknown>) => {
    setMessage(undefined)
    if (await action.run(f)) {
      setMessage(label)
      setRejecting(undefined)
      setReason("")
      inbox.reload()
    }
  }
  const answer = (id: Assignment.Assignment["id"], what: "accept" | "complete") =>
    act(t(what), () =>
      call((c) =>
        what === "accept" ? c.assignments.accept({ path: { id } }) : c.assignments.complete({ path: { id } })
      )
    )
  return (
    <section>
      <h1>{t("inbox")}</h1>
      <div role="tablist" aria-label={t("inbox")} className="tabs">
        {(["pending", "in_progress", "all"] as const).map((f) => (
          <button key={f} type="button" role="tab" aria-selected={filter === f} onClick={() => setFilter(f)}>
            {f === "pending" ? t("pending") : f === "in_progress" ? t("inProgress") : t("all")}
          </button>
        ))}
      </div>
      <Notice kind="error">{action.error ?? inbox.error}</Notice>
      <Notice kind="info">{message}</Notice>
      {inbox.data === undefined ? (
        <p className="loading">{t("loading")}</p>
      ) : inbox.data.length === 0 ? (
        <p>{t("nothing")}</p>
      ) : (
        <ul className="inbox">
          {inbox.data.map(({ assignment, task, overdue, dueSoon }) => (
            <li key={assignment.id} className="item" data-assignment-id={assignment.id} data-title={task.title}>
              <div className="line">
                <a href={`/tasks/${task.id}`} onClick={onLink(`/tasks/${task.id}`)} className="title">
                  {task.title}
                </a>
                <span className={`badge status-${assignment.status}`}>{t(`assignment_${assignment.status}`)}</span>
                {overdue ? <span className="badge overdue">{t("overdue")}</span> : null}
                {dueSoon ? <span className="badge soon">{t("dueSoon")}</span> : null}
                {assignment.dueAt._tag === "Some" ? (
                  <span className="due">
                    {t("due")}: {formatDate(assignment.dueAt.value, language)}
                  </span>
                ) : null}
              </div>
              {assignment.rejectionReason._tag === "Some" ? (
                <p className="reason">
                  {t("reason")}: {assignment.rejectionReason.value}
                </p>
              ) : null}
              <div className="actions">
                {assignment.status === "pending" ? (
                  <>
                    <button type="button" disabled={action.busy} onClick={() => answer(assignment.id, "accept")}>
                      {t("accept")}
                    </button>
                    <button type="button" disabled={action.busy} onClick={() => setRejecting(assignment.id)}>
                      {t("reject")}
                    </button>
                  </>
                ) : null}
                {assignment.status === "accepted" ? (
                  <button type="button" disabled={action.busy} onClick={() => answer(assignment.id, "complete")}>
                    {t("complete")}
                  </button>
                ) : null}
              </div>
              {rejecting === assignment.id ? (
                <form
                  className="reject"
                  onSubmit={(e) => {
                    e.preventDefault()
                    void act(t("reject"), () =>
                      call((c) => c.assignments.reject({ path: { id: assignment.id }, payload: { reason } }))
                    )
                  }}
                >
                  <label>
                    {t("reason")}
                    <textarea required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
                  </label>
                  <button type="submit" disabled={action.busy}>
                    {t("confirmReject")}
                  </button>
                  <button type="button" onClick={() => setRejecting(undefined)}>
                    {t("cancel")}
                  </button>
                </form>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

export default Inbox
