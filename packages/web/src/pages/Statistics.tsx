import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Legend,
  LinearScale,
  Tooltip
} from "chart.js"
import { Option } from "effect"
import { useEffect, useMemo, useRef } from "react"
import { call } from "../api.js"
import { loadPeople, loadProjects } from "../data.js"
import { useT } from "../i18n.js"
import { Notice, useLoad } from "../ui.js"

// Only the pieces drawn here: chart.js tree-shakes to these, in this page's own chunk.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, DoughnutController, ArcElement, Legend, Tooltip)

const palette = ["#1d4ed8", "#b45309", "#047857", "#b91c1c", "#6d28d9", "#0e7490"]

interface Series {
  readonly label: string
  readonly data: ReadonlyArray<number>
}

/** One chart, with its numbers also as a table for screen readers and for those who prefer them. */
const ChartBox = ({
  title,
  labels,
  series,
  kind = "bar"
}: {
  title: string
  labels: ReadonlyArray<string>
  series: ReadonlyArray<Series>
  kind?: "bar" | "doughnut"
}) => {
  const canvas = useRef<HTMLCanvasElement>(null)
  // biome-ignore lint/correctness/useExhaustiveDependencies: redrawn when the numbers change, not when new arrays hold the same ones
  useEffect(() => {
    if (canvas.current === null) return
    const chart = new Chart(canvas.current, {
      type: kind,
      data: {
        labels: [...labels],
        datasets: series.map((s, i) => ({
          label: s.label,
          data: [...s.data],
          backgroundColor: kind === "doughnut" ? palette : palette[i % palette.length]
        }))
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false }
    })
    return () => chart.destroy()
  }, [kind, JSON.stringify(labels), JSON.stringify(series)])
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div className="canvas">
        <canvas ref={canvas} role="img" aria-label={title} />
      </div>
      <table className="sr-only">
        <caption>{title}</caption>
        <tbody>
          {labels.map((label, i) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              {series.map((s) => (
                <td key={s.label}>{s.data[i]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}

const hours = (o: Option.Option<number>) => Option.match(o, { onNone: () => 0, onSome: (h) => Math.round(h * 10) / 10 })

/** Repairs and tasks over the last 30 days, as charts. */
const Statistics = () => {
  const { t } = useT()
  const repairs = useLoad(() => call((c) => c.statistics.repairs({ urlParams: {} })), [])
  const tasks = useLoad(() => call((c) => c.statistics.tasks({ urlParams: {} })), [])
  const people = useLoad(loadPeople, [])
  const projects = useLoad(loadProjects, [])
  const names = useMemo(() => new Map((people.data ?? []).map((u) => [u.id as string, u.name])), [people.data])
  const projectNames = useMemo(
    () => new Map((projects.data ?? []).map((p) => [p.id as string, p.name])),
    [projects.data]
  )
  const r = repairs.data
  const k = tasks.data
  const statuses = ["new", "in_progress", "on_hold", "completed", "cancelled"] as const
  return (
    <section className="statistics">
      <h1>{t("statistics")}</h1>
      <Notice kind="error">{repairs.error ?? tasks.error}</Notice>
      <div className="charts">
        {r === undefined ? null : (
          <>
            <ChartBox
              title={t("repairsByStatus")}
              labels={statuses.map((s) => t(`repair_${s}`))}
              series={[{ label: t("repairs"), data: statuses.map((s) => r.byStatus[s]) }]}
            />
            <ChartBox
              title={t("repairsByDevice")}
              labels={r.byDeviceType.map((d) => d.key)}
              series={[{ label: t("repairs"), data: r.byDeviceType.map((d) => d.count) }]}
            />
            <ChartBox
              title={t("completionTimes")}
              labels={["average", "median"]}
              series={[
                { label: t("complete"), data: [hours(r.toComplete.averageHours), hours(r.toComplete.medianHours)] },
                { label: t("inProgress"), data: [hours(r.inWork.averageHours), hours(r.inWork.medianHours)] }
              ]}
            />
            <ChartBox
              title={t("perTechnician")}
              labels={r.technicians.map((x) => names.get(x.technicianId) ?? x.technicianId)}
              series={[
                { label: t("inProgress"), data: r.technicians.map((x) => x.open) },
                { label: t("repair_completed"), data: r.technicians.map((x) => x.completed) }
              ]}
            />
          </>
        )}
        {k === undefined ? null : (
          <>
            <ChartBox
              title={t("tasksPerAssignee")}
              labels={k.byAssignee.map((a) => names.get(a.assigneeId) ?? a.assigneeId)}
              series={[
                { label: t("created"), data: k.byAssignee.map((a) => a.created) },
                { label: t("status_done"), data: k.byAssignee.map((a) => a.completed) },
                { label: t("overdue"), data: k.byAssignee.map((a) => a.overdue) }
              ]}
            />
            <ChartBox
              title={t("tasksPerProject")}
              labels={k.byProject.map((p) => projectNames.get(p.projectId) ?? p.projectId)}
              series={[
                { label: t("created"), data: k.byProject.map((p) => p.created) },
                { label: t("status_done"), data: k.byProject.map((p) => p.completed) }
              ]}
            />
            <ChartBox
              kind="doughnut"
              title={t("acceptance")}
              labels={[t("pending"), t("accept"), t("reject")]}
              series={[
                {
                  label: t("acceptance"),
                  data: [
                    k.assignments.offered - k.assignments.accepted - k.assignments.rejected,
                    k.assignments.accepted,
                    k.assignments.rejected
                  ]
                }
              ]}
            />
          </>
        )}
      </div>
      {k === undefined ? null : (
        <>
          <h2>{t("rejectionReasons")}</h2>
          <ul>
            {k.rejections.map((x) => (
              <li key={x.assignmentId}>
                {names.get(x.assigneeId) ?? x.assigneeId}: {x.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  )
}

export default Statistics
