import type { RepairRequest, User } from "@taskdesk/core"
import { DateTime } from "effect"
import { useMemo, useState } from "react"
import { call } from "../api.js"
import { loadPeople } from "../data.js"
import { useT } from "../i18n.js"
import { about, useLive } from "../live.js"
import { useSession } from "../session.js"
import { formatDate, Notice, useAction, useLoad } from "../ui.js"

type Repair = RepairRequest.RepairRequest

const NewRequest = ({ onFiled }: { onFiled: (r: Repair) => void }) => {
  const { t } = useT()
  const action = useAction()
  const [form, setForm] = useState({
    deviceType: "",
    deviceModel: "",
    problemDescription: "",
    serialNumber: "",
    category: ""
  })
  const field = (name: keyof typeof form, label: string, multiline = false, required = true) =>
    multiline ? (
      <label>
        {label}
        <textarea
          name={name}
          required={required}
          value={form[name]}
          onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })}
        />
      </label>
    ) : (
      <label>
        {label}
        <input
          name={name}
          required={required}
          value={form[name]}
          onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })}
        />
      </label>
    )
  return (
    <form
      className="card-form"
      aria-label={t("newRepair")}
      onSubmit={async (e) => {
        e.preventDefault()
        await action.run(async () => {
          const filed = await call((c) =>
            c.repairs.create({
              payload: {
                deviceType: form.deviceType,
                deviceModel: form.deviceModel,
                problemDescription: form.problemDescription,
                ...(form.serialNumber === "" ? {} : { serialNumber: form.serialNumber }),
                ...(form.category === "" ? {} : { category: form.category })
              }
            })
          )
          setForm({ deviceType: "", deviceModel: "", problemDescription: "", serialNumber: "", category: "" })
          onFiled(filed)
        })
      }}
    >
      <h2>{t("newRepair")}</h2>
      {field("deviceType", t("deviceType"))}
      {field("deviceModel", t("deviceModel"))}
      {field("serialNumber", t("serialNumber"), false, false)}
      {field("category", t("category"), false, false)}
      {field("problemDescription", t("problemDescription"), true)}
      <Notice kind="error">{action.error}</Notice>
      <button type="submit" disabled={action.busy}>
        {t("file")}
      </button>
    </form>
  )
}

const RepairItem = ({
  repair,
  names,
  technicians,
  onChanged
}: {
  repair: Repair
  names: ReadonlyMap<string, string>
  technicians: ReadonlyArray<User.User>
  onChanged: () => void
}) => {
  const { t, language } = useT()
  const { user } = useSession()
  const action = useAction()
  const [technician, setTechnician] = useState(repair.technicianId._tag === "Some" ? repair.technicianId.value : "")
  const [deadline, setDeadline] = useState("")
  const [note, setNote] = useState("")
  const [score, setScore] = useState("5")
  const [feedback, setFeedback] = useState("")
  const manages = user.role === "manager" || user.role === "admin"
  const works = repair.technicianId._tag === "Some" && repair.technicianId.value === user.id
  const isClient = repair.clientId === user.id
  const id = repair.id
  const act = (f: () => Promise<unknown>) =>
    action.run(f).then((ok) => {
      if (ok) {
        setNote("")
        onChanged()
      }
    })
  return (
    <li className="item repair" data-repair-id={id} data-device={repair.deviceModel}>
      <div className="line">
        <strong>{repair.reference}</strong> {repair.deviceType} · {repair.deviceModel}
        <span className={`badge repair-${repair.status}`}>{t(`repair_${repair.status}`)}</span>
        {repair.deadline._tag === "Some" ? (
          <span className="due">
            {t("deadline")}: {formatDate(repair.deadline.value, language)}
          </span>
        ) : null}
      </div>
      <p>{repair.problemDescription}</p>
      <p className="meta">
        {names.get(repair.clientId) ?? ""}
        {repair.technicianId._tag === "Some"
          ? ` → ${t("technician")}: ${names.get(repair.technicianId.value) ?? ""}`
          : ""}
        {repair.holdReason._tag === "Some" ? ` · ${t("reason")}: ${repair.holdReason.value}` : ""}
        {repair.completionNote._tag === "Some" ? ` · ${t("note")}: ${repair.completionNote.value}` : ""}
      </p>
      {repair.rating._tag === "Some" ? (
        <p className="rated">{t("rated", { score: repair.rating.value.score })}</p>
      ) : null}
      <Notice kind="error">{action.error}</Notice>
      {manages && (repair.status === "new" || repair.status === "on_hold" || repair.status === "in_progress") ? (
        <div className="actions">
          <label>
            {t("technician")}
            <select name="technician" value={technician} onChange={(e) => setTechnician(e.currentTarget.value)}>
              <option value="">—</option>
              {technicians.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            disabled={action.busy || technician === ""}
            onClick={() =>
              act(() =>
                call((c) =>
                  c.repairs.assign({ path: { id }, payload: { technicianId: technician as User.User["id"] } })
                )
              )
            }
          >
            {t("assign")}
          </button>
          <label>
            {t("deadline")}
            <input
              type="datetime-local"
              name="deadline"
              value={deadline}
              onInput={(e) => setDeadline(e.currentTarget.value)}
            />
          </label>
          <button
            type="button"
            disabled={action.busy || deadline === ""}
            onClick={() =>
              act(() =>
                call((c) =>
                  c.repairs.update({
                    path: { id },
                    headers: { "if-match": `"${repair.version}"` },
                    payload: { deadline: DateTime.unsafeMake(new Date(deadline)) }
                  })
                )
              )
            }
          >
            {t("save")}
          </button>
        </div>
      ) : null}
      {works && (repair.status === "new" || repair.status === "on_hold" || repair.status === "in_progress") ? (
        <div className="actions">
          {repair.status !== "in_progress" ? (
            <button
              type="button"
              disabled={action.busy}
              onClick={() => act(() => call((c) => c.repairs.start({ path: { id } })))}
            >
              {t("start")}
            </button>
          ) : (
            <>
              <label>
                {t("note")}
                <input name="note" value={note} onInput={(e) => setNote(e.currentTarget.value)} />
              </label>
              <button
                type="button"
                disabled={action.busy}
                onClick={() =>
                  act(() => call((c) => c.repairs.hold({ path: { id }, payload: note === "" ? {} : { reason: note } })))
                }
              >
                {t("hold")}
              </button>
              <button
                type="button"
                disabled={action.busy || note === ""}
                onClick={() => act(() => call((c) => c.repairs.complete({ path: { id }, payload: { note } })))}
              >
                {t("complete")}
              </button>
            </>
          )}
        </div>
      ) : null}
      {isClient && repair.status === "completed" && repair.rating._tag === "None" ? (
        <form
          className="actions"
          aria-label={t("rate")}
          onSubmit={(e) => {
            e.preventDefault()
            void act(() =>
              call((c) =>
                c.repairs.rate({
                  path: { id },
                  payload: { score: Number(score), ...(feedback === "" ? {} : { feedback }) }
                })
              )
            )
          }}
        >
          <label>
            {t("score")}
            <select name="score" value={score} onChange={(e) => setScore(e.currentTarget.value)}>
              {["5", "4", "3", "2", "1"].map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("feedback")}
            <input name="feedback" value={feedback} onInput={(e) => setFeedback(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={action.busy}>
            {t("rate")}
          </button>
        </form>
      ) : null}
    </li>
  )
}

/** The repair desk: clients file, follow and rate; managers assign and set deadlines; technicians work. */
const Repairs = () => {
  const { t } = useT()
  const { user } = useSession()
  const repairs = useLoad(() => call((c) => c.repairs.list({ urlParams: { limit: 200 } })), [])
  useLive(repairs.reload, about("repair"))
  const people = useLoad(loadPeople, [])
  const names = useMemo(() => new Map((people.data ?? []).map((u) => [u.id as string, u.name])), [people.data])
  const technicians = (people.data ?? []).filter(
    (u) => u.active && (u.role === "worker" || u.role === "manager" || u.role === "admin")
  )
  const [message, setMessage] = useState<string | undefined>(undefined)
  return (
    <section className="repairs">
      <h1>{t("repairs")}</h1>
      <Notice kind="info">{message}</Notice>
      {user.role === "client" || user.role === "manager" || user.role === "admin" ? (
        <NewRequest
          onFiled={(r) => {
            setMessage(t("filed", { ref: r.reference }))
            repairs.reload()
          }}
        />
      ) : null}
      <Notice kind="error">{repairs.error}</Notice>
      {repairs.data === undefined ? (
        <p className="loading">{t("loading")}</p>
      ) : repairs.data.items.length === 0 ? (
        <p>{t("nothing")}</p>
      ) : (
        <ul className="inbox">
          {repairs.data.items.map((r) => (
            <RepairItem
              key={`${r.id}-${r.version}`}
              repair={r}
              names={names}
              technicians={technicians}
              onChanged={repairs.reload}
            />
          ))}
        </ul>
      )}
    </section>
  )
}

export default Repairs
