import { DateTime, Option } from "effect"
import type { RepairStatus } from "./RepairRequest.js"
import type { Language } from "./User.js"

/**
 * What a notification says, before it is put into words: one case per event that notifies someone.
 * Names are people's display names; texts are the users' own words, passed through unchanged.
 */
export type Message =
  | {
      readonly _tag: "assignment_offered"
      readonly taskTitle: string
      readonly assignedBy: string
      readonly dueAt: Option.Option<DateTime.Utc>
    }
  | {
      readonly _tag: "assignment_rejected"
      readonly taskTitle: string
      readonly assignee: string
      readonly reason: string
    }
  | {
      readonly _tag: "repair_assigned"
      readonly reference: string
      readonly device: string
      readonly deadline: Option.Option<DateTime.Utc>
    }
  | {
      readonly _tag: "repair_status_changed"
      readonly reference: string
      readonly device: string
      readonly from: RepairStatus
      readonly to: RepairStatus
      readonly note: Option.Option<string>
    }
  | {
      readonly _tag: "task_assigned"
      readonly taskTitle: string
      readonly assignedBy: string
      readonly dueAt: Option.Option<DateTime.Utc>
    }
  | {
      readonly _tag: "resolution_issued"
      /** The resolution's registration number (`RES-0001`). */
      readonly number: string
      readonly title: string
      /** The resolution's text: what each executor is to do. */
      readonly body: string
      readonly issuedBy: string
      /** The incoming document's registration number and title. */
      readonly incomingNumber: string
      readonly incomingTitle: string
      readonly dueAt: DateTime.Utc
    }
  | {
      readonly _tag: "report_filed"
      /** The resolution's registration number and title. */
      readonly number: string
      readonly title: string
      readonly reporter: string
      /** The report's registration number and text. */
      readonly reportNumber: string
      readonly reportBody: string
      /** Whether this was the last report: every executor has reported, the resolution is executed. */
      readonly completed: boolean
    }
  | { readonly _tag: "task_commented"; readonly taskTitle: string; readonly author: string; readonly body: string }
  | {
      readonly _tag: "repair_commented"
      readonly reference: string
      readonly device: string
      readonly author: string
      readonly body: string
    }
  | {
      readonly _tag: "deadline_reminder"
      /** Sorted by due time; `due` already in the job's local time. */
      readonly items: ReadonlyArray<{
        readonly kind: "task" | "assignment" | "repair"
        readonly title: string
        readonly due: string
        readonly overdue: boolean
      }>
    }
  | {
      readonly _tag: "daily_report"
      readonly date: string
      readonly created: ReadonlyArray<string>
      readonly completed: ReadonlyArray<string>
      readonly overdue: ReadonlyArray<string>
      readonly repairs: {
        readonly total: number
        readonly completed: number
        readonly overdue: number
        readonly averageRating: Option.Option<number>
      }
      /** "title (person): reason" lines. */
      readonly rejected: ReadonlyArray<string>
    }

/** A notification kind: the `_tag` of its message. */
export type MessageKind = Message["_tag"]

/** A message in words: a one-line subject and a plain-text body (channels add markup and the link). */
export interface Rendered {
  readonly subject: string
  readonly body: string
}

/** The longest subject and body the outbox accepts (`Notification.Subject`, `Notification.Body`). */
export const maxSubject = 200
/** The longest text a notification carries; longer ones are cut. */
export const maxBody = 20_000

/** Cuts `text` to `max` characters, ending with an ellipsis when cut. */
export const truncate = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, Math.max(max - 1, 0))}…`

// A subject is one line: a title with a newline in it must not break the header it becomes.
const oneLine = (text: string) => text.replace(/[\r\n\t]+/g, " ").trim()

const statusNames: Readonly<Record<Language, Readonly<Record<RepairStatus, string>>>> = {
  en: { new: "new", in_progress: "in progress", on_hold: "on hold", completed: "completed", cancelled: "cancelled" },
  ru: {
    new: "новая",
    in_progress: "в работе",
    on_hold: "приостановлена",
    completed: "завершена",
    cancelled: "отменена"
  },
  zh: { new: "新建", in_progress: "维修中", on_hold: "暂停", completed: "已完成", cancelled: "已取消" }
}

/** A repair status in the reader's language. */
export const statusName = (status: RepairStatus, language: Language): string => statusNames[language][status]

/** `2026-03-02 09:00 UTC`: people have no time zone yet, so times are shown in UTC, saying so. */
export const formatTime = (at: DateTime.Utc): string => {
  const iso = DateTime.formatIso(at)
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
}

const noDate: Readonly<Record<Language, string>> = { en: "none", ru: "не указан", zh: "无" }
const when = (at: Option.Option<DateTime.Utc>, language: Language) =>
  Option.match(at, { onNone: () => noDate[language], onSome: formatTime })

const kindNames: Readonly<Record<Language, Readonly<Record<"task" | "assignment" | "repair", string>>>> = {
  en: { task: "task", assignment: "assignment", repair: "repair" },
  ru: { task: "задача", assignment: "назначение", repair: "заявка" },
  zh: { task: "任务", assignment: "分配", repair: "维修单" }
}

/** Items listed by name in a report section; the notification's data carries the full counts. */
const listed = 20

const section = (title: string, lines: ReadonlyArray<string>, more: (n: number) => string) =>
  [
    `${title}: ${lines.length}`,
    ...lines.slice(0, listed).map((l) => `- ${l}`),
    ...(lines.length > listed ? [`- ${more(lines.length - listed)}`] : [])
  ].join("\n")

const reportWords: Readonly<
  Record<
    Language,
    {
      readonly subject: string
      readonly created: string
      readonly completed: string
      readonly overdue: string
      readonly rejected: string
      readonly more: (n: number) => string
      readonly repairs: (total: number, completed: number, overdue: number) => string
      readonly rating: string
    }
  >
> = {
  en: {
    subject: "Daily report",
    created: "Created",
    completed: "Completed",
    overdue: "Became overdue",
    rejected: "Rejected assignments",
    more: (n) => `… ${n} more`,
    repairs: (t, c, o) => `Repair requests: ${t} new, ${c} completed, ${o} overdue`,
    rating: "Average rating"
  },
  ru: {
    subject: "Отчёт за день",
    created: "Создано",
    completed: "Выполнено",
    overdue: "Просрочено",
    rejected: "Отклонённые назначения",
    more: (n) => `… и ещё ${n}`,
    repairs: (t, c, o) => `Заявки на ремонт: новых ${t}, завершено ${c}, просрочено ${o}`,
    rating: "Средняя оценка"
  },
  zh: {
    subject: "每日报告",
    created: "新建",
    completed: "已完成",
    overdue: "已逾期",
    rejected: "被拒绝的分配",
    more: (n) => `…… 另有 ${n} 项`,
    repairs: (t, c, o) => `维修单：新建 ${t}，完成 ${c}，逾期 ${o}`,
    rating: "平均评分"
  }
}

type Templates = { readonly [K in MessageKind]: (m: Extract<Message, { _tag: K }>, l: Language) => Rendered }

const byLanguage = (language: Language, texts: Readonly<Record<Language, Rendered>>): Rendered => texts[language]

const templates: Templates = {
  assignment_offered: (m, l) =>
    byLanguage(l, {
      en: {
        subject: `New task: ${m.taskTitle}`,
        body: `${m.assignedBy} assigned you the task "${m.taskTitle}".\nDue: ${when(m.dueAt, l)}.\nPlease accept or reject it.`
      },
      ru: {
        subject: `Новая задача: ${m.taskTitle}`,
        body: `${m.assignedBy} назначает вам задачу «${m.taskTitle}».\nСрок: ${when(m.dueAt, l)}.\nПримите или отклоните её.`
      },
      zh: {
        subject: `新任务：${m.taskTitle}`,
        body: `${m.assignedBy} 给您分配了任务「${m.taskTitle}」。\n截止时间：${when(m.dueAt, l)}。\n请接受或拒绝。`
      }
    }),
  assignment_rejected: (m, l) =>
    byLanguage(l, {
      en: {
        subject: `Task rejected: ${m.taskTitle}`,
        body: `${m.assignee} rejected the task "${m.taskTitle}".\nReason: ${m.reason}`
      },
      ru: {
        subject: `Задача отклонена: ${m.taskTitle}`,
        body: `${m.assignee} отказывается от задачи «${m.taskTitle}».\nПричина: ${m.reason}`
      },
      zh: {
        subject: `任务被拒绝：${m.taskTitle}`,
        body: `${m.assignee} 拒绝了任务「${m.taskTitle}」。\n拒绝理由：${m.reason}`
      }
    }),
  repair_assigned: (m, l) =>
    byLanguage(l, {
      en: {
        subject: `Repair request ${m.reference} is yours`,
        body: `You are the technician of repair request ${m.reference} (${m.device}).\nDeadline: ${when(m.deadline, l)}.`
      },
      ru: {
        subject: `Вам назначена заявка ${m.reference}`,
        body: `Вы назначены мастером по заявке ${m.reference} (${m.device}).\nСрок: ${when(m.deadline, l)}.`
      },
      zh: {
        subject: `维修单 ${m.reference} 已分配给您`,
        body: `您被指派为维修单 ${m.reference}（${m.device}）的技术员。\n截止时间：${when(m.deadline, l)}。`
      }
    }),
  repair_status_changed: (m, l) => {
    const to = statusName(m.to, l)
    const from = statusName(m.from, l)
    const note = Option.getOrUndefined(m.note)
    return byLanguage(l, {
      en: {
        subject: `${m.reference}: ${to}`,
        body: `Your repair request ${m.reference} (${m.device}) is now ${to} (was ${from}).${note === undefined ? "" : `\nNote: ${note}`}`
      },
      ru: {
        subject: `${m.reference}: ${to}`,
        body: `Ваша заявка ${m.reference} (${m.device}) теперь: ${to} (было: ${from}).${note === undefined ? "" : `\nКомментарий: ${note}`}`
      },
      zh: {
        subject: `${m.reference}：${to}`,
        body: `您的维修单 ${m.reference}（${m.device}）状态变为「${to}」（原为「${from}」）。${note === undefined ? "" : `\n备注：${note}`}`
      }
    })
  },
  task_assigned: (m, l) =>
    byLanguage(l, {
      en: {
        subject: `Task assigned to you: ${m.taskTitle}`,
        body: `${m.assignedBy} assigned you the task "${m.taskTitle}".\nDue: ${when(m.dueAt, l)}.`
      },
      ru: {
        subject: `Вам назначена задача: ${m.taskTitle}`,
        body: `${m.assignedBy} назначает вам задачу «${m.taskTitle}».\nСрок: ${when(m.dueAt, l)}.`
      },
      zh: {
        subject: `分配给您的任务：${m.taskTitle}`,
        body: `${m.assignedBy} 将任务「${m.taskTitle}」分配给您。\n截止时间：${when(m.dueAt, l)}。`
      }
    }),
  resolution_issued: (m, l) => {
    // An empty resolution text adds no empty line.
    const text = m.body.trim() === "" ? "" : `\n${m.body}`
    return byLanguage(l, {
      en: {
        subject: `Resolution ${m.number}: ${m.title}`,
        body: `${m.issuedBy} named you an executor of resolution ${m.number} on document ${m.incomingNumber} "${m.incomingTitle}".${text}\nDue: ${formatTime(m.dueAt)}.`
      },
      ru: {
        subject: `Резолюция ${m.number}: ${m.title}`,
        body: `${m.issuedBy} назначает вас исполнителем резолюции ${m.number} по документу ${m.incomingNumber} «${m.incomingTitle}».${text}\nСрок: ${formatTime(m.dueAt)}.`
      },
      zh: {
        subject: `批示 ${m.number}：${m.title}`,
        body: `${m.issuedBy} 指定您为文件 ${m.incomingNumber}「${m.incomingTitle}」上批示 ${m.number} 的执行人。${text}\n截止时间：${formatTime(m.dueAt)}。`
      }
    })
  },
  report_filed: (m, l) => {
    const text = m.reportBody.trim() === "" ? "" : `\n${m.reportBody}`
    return byLanguage(l, {
      en: {
        subject: m.completed ? `Resolution ${m.number} executed` : `Report on resolution ${m.number}`,
        body: `${m.reporter} filed report ${m.reportNumber} on resolution ${m.number} "${m.title}".${text}${m.completed ? "\nEvery executor has reported: the resolution is executed." : ""}`
      },
      ru: {
        subject: m.completed ? `Резолюция ${m.number} исполнена` : `Отчёт по резолюции ${m.number}`,
        body: `${m.reporter} представляет отчёт ${m.reportNumber} по резолюции ${m.number} «${m.title}».${text}${m.completed ? "\nВсе исполнители отчитались: резолюция исполнена." : ""}`
      },
      zh: {
        subject: m.completed ? `批示 ${m.number} 已执行完毕` : `批示 ${m.number} 的执行报告`,
        body: `${m.reporter} 提交了批示 ${m.number}「${m.title}」的执行报告 ${m.reportNumber}。${text}${m.completed ? "\n所有执行人均已报告：批示已执行完毕。" : ""}`
      }
    })
  },
  task_commented: (m, l) =>
    byLanguage(l, {
      en: { subject: `New comment on "${m.taskTitle}"`, body: `${m.author} wrote on "${m.taskTitle}":\n${m.body}` },
      ru: { subject: `Новый комментарий к «${m.taskTitle}»`, body: `${m.author} пишет в «${m.taskTitle}»:\n${m.body}` },
      zh: { subject: `「${m.taskTitle}」有新评论`, body: `${m.author} 在「${m.taskTitle}」中写道：\n${m.body}` }
    }),
  repair_commented: (m, l) =>
    byLanguage(l, {
      en: {
        subject: `New comment on ${m.reference}`,
        body: `${m.author} wrote on repair request ${m.reference} (${m.device}):\n${m.body}`
      },
      ru: {
        subject: `Новый комментарий к заявке ${m.reference}`,
        body: `${m.author} пишет по заявке ${m.reference} (${m.device}):\n${m.body}`
      },
      zh: {
        subject: `维修单 ${m.reference} 有新评论`,
        body: `${m.author} 在维修单 ${m.reference}（${m.device}）中写道：\n${m.body}`
      }
    }),
  deadline_reminder: (m, l) => {
    const n = m.items.length
    const late = m.items.filter((i) => i.overdue).length
    const line = (i: (typeof m.items)[number], overdue: string, due: string) =>
      `- ${i.overdue ? `[${overdue}] ` : ""}${kindNames[l][i.kind]}: ${i.title} — ${due} ${i.due}`
    return byLanguage(l, {
      en: {
        subject: `${n} item${n === 1 ? "" : "s"} due soon${late > 0 ? ` (${late} overdue)` : ""}`,
        body: m.items.map((i) => line(i, "overdue", "due")).join("\n")
      },
      ru: {
        subject: `Сроки: ${n}${late > 0 ? ` (просрочено: ${late})` : ""}`,
        body: m.items.map((i) => line(i, "просрочено", "срок")).join("\n")
      },
      zh: {
        subject: `${n} 项即将到期${late > 0 ? `（${late} 项已逾期）` : ""}`,
        body: m.items.map((i) => line(i, "已逾期", "截止")).join("\n")
      }
    })
  },
  daily_report: (m, l) => {
    const w = reportWords[l]
    return {
      subject: `${w.subject} ${m.date}`,
      body: [
        section(w.created, m.created, w.more),
        section(w.completed, m.completed, w.more),
        section(w.overdue, m.overdue, w.more),
        [
          w.repairs(m.repairs.total, m.repairs.completed, m.repairs.overdue),
          ...Option.toArray(m.repairs.averageRating).map((r) => `${w.rating}: ${r.toFixed(2)}`)
        ].join("\n"),
        section(w.rejected, m.rejected, w.more)
      ].join("\n\n")
    }
  }
}

/** Puts a message into the reader's language, within the outbox's limits (the subject on one line). */
export const render = (message: Message, language: Language): Rendered => {
  const rendered = (templates[message._tag] as (m: Message, l: Language) => Rendered)(message, language)
  return { subject: truncate(oneLine(rendered.subject), maxSubject), body: truncate(rendered.body, maxBody) }
}
