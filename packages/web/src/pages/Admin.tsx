import type { Job, Scheduler, User } from "@taskdesk/core"
import { useState } from "react"
import { call } from "../api.js"
import { useT } from "../i18n.js"
import { formatDate, Notice, useAction, useLoad } from "../ui.js"

const roles = ["admin", "manager", "worker", "client", "supervisor", "partner"] as const

const UserRow = ({ person, onSaved }: { person: User.User; onSaved: () => void }) => {
  const { t } = useT()
  const action = useAction()
  const [role, setRole] = useState<User.User["role"]>(person.role)
  return (
    <tr>
      <td>{person.name}</td>
      <td>{person.username}</td>
      <td>
        <label className="inline">
          <span className="sr-only">{t("role")}</span>
          <select value={role} onChange={(e) => setRole(e.currentTarget.value as User.User["role"])}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={action.busy || role === person.role}
          onClick={() =>
            action
              .run(() => call((c) => c.users.update({ path: { id: person.id }, headers: {}, payload: { role } })))
              .then((ok) => ok && onSaved())
          }
        >
          {t("save")}
        </button>
        <Notice kind="error">{action.error}</Notice>
      </td>
      <td>{person.active ? "✓" : "—"}</td>
    </tr>
  )
}

const Users = () => {
  const { t } = useT()
  const users = useLoad(() => call((c) => c.users.list({ urlParams: {} })), [])
  return (
    <section>
      <h2>{t("users")}</h2>
      <Notice kind="error">{users.error}</Notice>
      <div className="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("name")}</th>
              <th scope="col">{t("username")}</th>
              <th scope="col">{t("role")}</th>
              <th scope="col">{t("active")}</th>
            </tr>
          </thead>
          <tbody>
            {(users.data ?? []).map((u) => (
              <UserRow key={`${u.id}-${u.role}`} person={u} onSaved={users.reload} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}

const Tokens = () => {
  const { t, language } = useT()
  const tokens = useLoad(() => call((c) => c.tokens.list()), [])
  const action = useAction()
  const [name, setName] = useState("")
  const [secret, setSecret] = useState<string | undefined>(undefined)
  return (
    <section>
      <h2>{t("tokens")}</h2>
      <form
        onSubmit={async (e) => {
          e.preventDefault()
          await action.run(async () => {
            const made = await call((c) => c.tokens.create({ payload: { name } }))
            setSecret(made.token)
            setName("")
            tokens.reload()
          })
        }}
      >
        <label>
          {t("name")}
          <input name="tokenName" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          {t("newToken")}
        </button>
      </form>
      {secret === undefined ? null : (
        <p className="notice info" role="status">
          {t("tokenShownOnce")} <code>{secret}</code>
        </p>
      )}
      <Notice kind="error">{action.error ?? tokens.error}</Notice>
      <ul>
        {(tokens.data ?? []).map((token) => (
          <li key={token.id}>
            {token.name} · {formatDate(token.createdAt, language)}{" "}
            <button
              type="button"
              onClick={() =>
                action.run(() => call((c) => c.tokens.revoke({ path: { id: token.id } }))).then(() => tokens.reload())
              }
            >
              {t("revoke")}
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}

const describeSchedule = (schedule: Job.Job["schedule"]) =>
  schedule._tag === "Cron" ? `${schedule.expression} (${schedule.timeZone})` : `every ${schedule.everySeconds} s`

const JobItem = ({ view, onChanged }: { view: Scheduler.JobView; onChanged: () => void }) => {
  const { t, language } = useT()
  const { job } = view
  const action = useAction()
  const [expression, setExpression] = useState(job.schedule._tag === "Cron" ? job.schedule.expression : "")
  const [message, setMessage] = useState<string | undefined>(undefined)
  const [showRuns, setShowRuns] = useState(false)
  const runs = useLoad(
    () =>
      showRuns
        ? call((c) => c.scheduler.runs({ path: { id: job.id }, urlParams: { limit: 10 } }))
        : Promise.resolve(undefined),
    [showRuns]
  )
  return (
    <li className="item job" data-job-id={job.id}>
      <div className="line">
        <strong>{job.id}</strong> <span>{job.description}</span>
        <span className={`badge ${job.enabled ? "on" : "off"}`}>{job.enabled ? t("enabled") : "—"}</span>
      </div>
      <p className="meta">
        {t("schedule")}: <span className="schedule">{describeSchedule(job.schedule)}</span>
        {job.nextRunAt._tag === "Some" ? ` · ${t("nextRun")}: ${formatDate(job.nextRunAt.value, language)}` : ""}
        {view.lastRun._tag === "Some" ? ` · ${t("lastRun")}: ${view.lastRun.value.status}` : ""}
      </p>
      <form
        className="actions"
        onSubmit={async (e) => {
          e.preventDefault()
          setMessage(undefined)
          const ok = await action.run(() =>
            call((c) =>
              c.scheduler.update({
                path: { id: job.id },
                headers: { "if-match": `"${job.version}"` },
                payload:
                  job.schedule._tag === "Cron"
                    ? { expression }
                    : { schedule: { _tag: "Cron", expression, timeZone: "UTC" } }
              })
            )
          )
          if (ok) {
            setMessage(t("saved"))
            onChanged()
          }
        }}
      >
        <label>
          {t("schedule")} (cron)
          <input name="expression" value={expression} required onInput={(e) => setExpression(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          {t("save")}
        </button>
        <button
          type="button"
          disabled={action.busy}
          onClick={async () => {
            setMessage(undefined)
            await action.run(async () => {
              const run = await call((c) => c.scheduler.run({ path: { id: job.id }, urlParams: { wait: true } }))
              setMessage(t("ran", { status: run.status }))
              onChanged()
              runs.reload()
            })
          }}
        >
          {t("runNow")}
        </button>
        <button type="button" aria-expanded={showRuns} onClick={() => setShowRuns((s) => !s)}>
          {t("runs")}
        </button>
      </form>
      <Notice kind="error">{action.error}</Notice>
      <Notice kind="info">{message}</Notice>
      {showRuns && runs.data !== undefined ? (
        <ol className="runs">
          {runs.data.items.map((run) => (
            <li key={run.id}>
              {formatDate(run.startedAt, language)} · {run.trigger} · <strong>{run.status}</strong>
              {run.error._tag === "Some" ? ` · ${run.error.value}` : ""}
            </li>
          ))}
        </ol>
      ) : null}
    </li>
  )
}

const Jobs = () => {
  const { t } = useT()
  const jobs = useLoad(() => call((c) => c.scheduler.list()), [])
  return (
    <section>
      <h2>{t("jobs")}</h2>
      <Notice kind="error">{jobs.error}</Notice>
      <ul className="inbox">
        {(jobs.data ?? []).map((view) => (
          <JobItem key={view.job.id} view={view} onChanged={jobs.reload} />
        ))}
      </ul>
    </section>
  )
}

/** Administration: people and their roles, one's API tokens, the scheduled jobs. */
const Admin = () => {
  const { t } = useT()
  return (
    <section className="admin">
      <h1>{t("admin")}</h1>
      <Jobs />
      <Users />
      <Tokens />
    </section>
  )
}

export default Admin
