import type { Document, Project, User } from "@taskdesk/core"
import { DateTime } from "effect"
import { useMemo, useState } from "react"
import { call } from "../api.js"
import { loadPeople, loadProjects } from "../data.js"
import { useT } from "../i18n.js"
import { onLink } from "../router.js"
import { useSession } from "../session.js"
import { formatDate, Notice, useAction, useLoad } from "../ui.js"

const Resolve = ({
  document,
  people,
  onDone
}: {
  document: Document.Document
  people: ReadonlyArray<User.User>
  onDone: () => void
}) => {
  const { t } = useT()
  const action = useAction()
  const [title, setTitle] = useState(document.title)
  const [body, setBody] = useState("")
  const [assignee, setAssignee] = useState("")
  const [due, setDue] = useState("")
  return (
    <form
      className="actions"
      aria-label={t("issueResolution")}
      onSubmit={async (e) => {
        e.preventDefault()
        const ok = await action.run(() =>
          call((c) =>
            c.projects.issueResolution({
              path: { id: document.id },
              payload: {
                title,
                body,
                assigneeIds: [assignee as User.User["id"]],
                dueAt: DateTime.unsafeMake(new Date(due))
              }
            })
          )
        )
        if (ok) onDone()
      }}
    >
      <label>
        {t("title")}
        <input required value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </label>
      <label>
        {t("body")}
        <input required value={body} onInput={(e) => setBody(e.currentTarget.value)} />
      </label>
      <label>
        {t("assignee")}
        <select required value={assignee} onChange={(e) => setAssignee(e.currentTarget.value)}>
          <option value="">—</option>
          {people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("dueDate")}
        <input type="datetime-local" required value={due} onInput={(e) => setDue(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={action.busy}>
        {t("issueResolution")}
      </button>
      <Notice kind="error">{action.error}</Notice>
    </form>
  )
}

const ProjectView = ({ project, people }: { project: Project.Project; people: ReadonlyArray<User.User> }) => {
  const { t, language } = useT()
  const { user } = useSession()
  const documents = useLoad(
    () => call((c) => c.projects.listDocuments({ path: { id: project.id }, urlParams: { kind: "incoming" } })),
    [project.id]
  )
  const resolutions = useLoad(
    () => call((c) => c.projects.resolutions({ path: { id: project.id }, urlParams: {} })),
    [project.id]
  )
  const action = useAction()
  const [title, setTitle] = useState("")
  const [body, setBody] = useState("")
  const [resolving, setResolving] = useState<string | undefined>(undefined)
  const manages = user.role === "manager" || user.role === "admin"
  const groups =
    resolutions.data === undefined
      ? []
      : (["open", "overdue", "done", "cancelled"] as const).map((k) => [k, resolutions.data![k]] as const)
  return (
    <section>
      <h2>{project.name}</h2>
      <p>{project.description}</p>
      <h3>{t("documents")}</h3>
      <Notice kind="error">{documents.error ?? resolutions.error ?? action.error}</Notice>
      <ul className="inbox">
        {(documents.data?.items ?? []).map((d) => (
          <li key={d.id} className="item">
            <div className="line">
              <strong>{d.registrationNumber}</strong> {d.title}{" "}
              <span className="due">{formatDate(d.date, language)}</span>
            </div>
            {d.body === "" ? null : <p>{d.body}</p>}
            {manages ? (
              resolving === d.id ? (
                <Resolve
                  document={d}
                  people={people}
                  onDone={() => {
                    setResolving(undefined)
                    resolutions.reload()
                  }}
                />
              ) : (
                <button type="button" onClick={() => setResolving(d.id)}>
                  {t("issueResolution")}
                </button>
              )
            ) : null}
          </li>
        ))}
      </ul>
      <form
        onSubmit={async (e) => {
          e.preventDefault()
          const ok = await action.run(() =>
            call((c) =>
              c.projects.fileDocument({
                path: { id: project.id },
                payload: { title, ...(body === "" ? {} : { body }) }
              })
            )
          )
          if (ok) {
            setTitle("")
            setBody("")
            documents.reload()
          }
        }}
      >
        <label>
          {t("title")}
          <input required value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
        </label>
        <label>
          {t("body")}
          <textarea value={body} onInput={(e) => setBody(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          {t("fileDocument")}
        </button>
      </form>
      <h3>{t("resolutions")}</h3>
      {groups.map(([kind, items]) =>
        items.length === 0 ? null : (
          <div key={kind}>
            <h4>{kind}</h4>
            <ul>
              {items.map((p) => (
                <li key={p.resolution.id}>
                  <strong>{p.resolution.registrationNumber}</strong> {p.resolution.title} →{" "}
                  <a href={`/tasks/${p.task.id}`} onClick={onLink(`/tasks/${p.task.id}`)}>
                    {p.task.title}
                  </a>{" "}
                  ({t(`status_${p.task.status}`)}, {p.reports.length} report(s))
                </li>
              ))}
            </ul>
          </div>
        )
      )}
    </section>
  )
}

/** Projects with their incoming documents, resolutions and the reports executing them. */
const Projects = () => {
  const { t } = useT()
  const projects = useLoad(loadProjects, [])
  const people = useLoad(loadPeople, [])
  const receivers = useMemo(
    () => (people.data ?? []).filter((u) => u.role !== "client" && u.role !== "supervisor"),
    [people.data]
  )
  const [selected, setSelected] = useState<string | undefined>(undefined)
  const project = (projects.data ?? []).find((p) => p.id === selected) ?? projects.data?.[0]
  return (
    <section className="projects">
      <h1>{t("projects")}</h1>
      <label>
        {t("project")}
        <select value={project?.id ?? ""} onChange={(e) => setSelected(e.currentTarget.value)}>
          {(projects.data ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      {project === undefined ? (
        <p>{t("nothing")}</p>
      ) : (
        <ProjectView key={project.id} project={project} people={receivers} />
      )}
    </section>
  )
}

export default Projects
