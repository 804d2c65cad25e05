import type { Assignment, RepairRequest, User } from "@taskdesk/core"
import { NotificationTemplates } from "@taskdesk/core"

type Language = User.Language

/** Everything the bot says, in English, Russian and Chinese. Inputs are escaped by the caller where HTML is sent. */
export interface Texts {
  readonly help: string
  readonly notLinked: string
  readonly linked: (name: string) => string
  readonly badCode: string
  readonly hello: (name: string) => string
  readonly noTasks: string
  readonly tasksHeader: string
  readonly due: (when: string) => string
  readonly noPending: string
  readonly offer: (title: string, due: string | undefined) => string
  readonly accepted: (title: string) => string
  readonly acceptedShort: string
  readonly askReason: (title: string) => string
  readonly reasonPrompt: string
  readonly badReason: string
  readonly rejected: (title: string) => string
  readonly already: (status: Assignment.AssignmentStatus) => string
  readonly notYours: string
  readonly unknownButton: string
  readonly askDeviceType: string
  readonly askModel: string
  readonly askProblem: string
  readonly tooLong: (max: number) => string
  readonly filed: (reference: string) => string
  readonly mayNotFile: string
  readonly noRequests: string
  readonly requestLine: (r: RepairRequest.RepairRequest) => string
  readonly cancelled: string
  readonly nothingToCancel: string
  readonly dontUnderstand: string
  readonly failed: string
}

const statuses: Readonly<Record<Language, Readonly<Record<Assignment.AssignmentStatus, string>>>> = {
  en: {
    pending: "pending",
    accepted: "accepted",
    rejected: "rejected",
    completed: "completed",
    cancelled: "cancelled"
  },
  ru: {
    pending: "ожидает ответа",
    accepted: "принято",
    rejected: "отклонено",
    completed: "выполнено",
    cancelled: "отменено"
  },
  zh: { pending: "待处理", accepted: "已接受", rejected: "已拒绝", completed: "已完成", cancelled: "已取消" }
}

const line = (r: RepairRequest.RepairRequest, language: Language) =>
  `${r.reference} · ${r.deviceType} ${r.deviceModel} — ${NotificationTemplates.statusName(r.status, language)}`

const en: Texts = {
  help: [
    "/tasks — your open tasks",
    "/inbox — work offered to you, to accept or reject",
    "/request — file a repair request",
    "/requests — your repair requests and their status",
    "/cancel — stop the current question",
    "/help — this list"
  ].join("\n"),
  notLinked:
    "Your Telegram is not linked to taskdesk yet. Sign in to taskdesk, ask for a Telegram link code and send /start <code> here.",
  linked: (name) => `Linked: you are ${name} in taskdesk.`,
  badCode: "This code is unknown or has expired. Ask taskdesk for a new one.",
  hello: (name) => `Hello, ${name}.`,
  noTasks: "You have no open tasks.",
  tasksHeader: "Your open tasks:",
  due: (when) => `due ${when}`,
  noPending: "Nothing is waiting for your answer.",
  offer: (title, due) => `${title}${due === undefined ? "" : `\nDue: ${due}`}`,
  accepted: (title) => `✅ Accepted: ${title}`,
  acceptedShort: "Accepted",
  askReason: (title) => `Why do you reject "${title}"? Type the reason (or /cancel).`,
  reasonPrompt: "Type the reason",
  badReason: "The reason must be 1 to 2,000 characters. Type it again (or /cancel).",
  rejected: (title) => `❌ Rejected: ${title}. Your reason has been passed on.`,
  already: (status) => `This assignment is already ${statuses.en[status]}.`,
  notYours: "This is not your assignment.",
  unknownButton: "This button is not valid any more.",
  askDeviceType: "What kind of device needs repair? (e.g. fridge, washing machine)",
  askModel: "Which model is it?",
  askProblem: "What is the problem?",
  tooLong: (max) => `Please keep it under ${max} characters.`,
  filed: (reference) => `Request ${reference} is filed. /requests shows its status.`,
  mayNotFile: "You may not file repair requests.",
  noRequests: "You have no repair requests.",
  requestLine: (r) => line(r, "en"),
  cancelled: "Stopped.",
  nothingToCancel: "There is nothing to stop.",
  dontUnderstand: "I did not understand that. /help lists what I can do.",
  failed: "Something went wrong. Please try again later."
}

const ru: Texts = {
  help: [
    "/tasks — ваши открытые задачи",
    "/inbox — предложенная вам работа: принять или отклонить",
    "/request — подать заявку на ремонт",
    "/requests — ваши заявки и их статус",
    "/cancel — прервать текущий вопрос",
    "/help — этот список"
  ].join("\n"),
  notLinked:
    "Ваш Telegram ещё не привязан к taskdesk. Войдите в taskdesk, получите код привязки Telegram и отправьте сюда /start <код>.",
  linked: (name) => `Готово: в taskdesk вы — ${name}.`,
  badCode: "Код неизвестен или устарел. Получите новый в taskdesk.",
  hello: (name) => `Здравствуйте, ${name}.`,
  noTasks: "Открытых задач нет.",
  tasksHeader: "Ваши открытые задачи:",
  due: (when) => `срок ${when}`,
  noPending: "Ничего не ждёт вашего ответа.",
  offer: (title, due) => `${title}${due === undefined ? "" : `\nСрок: ${due}`}`,
  accepted: (title) => `✅ Принято: ${title}`,
  acceptedShort: "Принято",
  askReason: (title) => `Почему вы отказываетесь от «${title}»? Напишите причину (или /cancel).`,
  reasonPrompt: "Напишите причину",
  badReason: "Причина — от 1 до 2000 символов. Напишите её ещё раз (или /cancel).",
  rejected: (title) => `❌ Отклонено: ${title}. Причина передана.`,
  already: (status) => `Это назначение уже: ${statuses.ru[status]}.`,
  notYours: "Это не ваше назначение.",
  unknownButton: "Эта кнопка больше не действует.",
  askDeviceType: "Какое устройство нужно починить? (например, холодильник, стиральная машина)",
  askModel: "Какая модель?",
  askProblem: "В чём неисправность?",
  tooLong: (max) => `Пожалуйста, не длиннее ${max} символов.`,
  filed: (reference) => `Заявка ${reference} подана. Статус — в /requests.`,
  mayNotFile: "Вы не можете подавать заявки на ремонт.",
  noRequests: "Заявок нет.",
  requestLine: (r) => line(r, "ru"),
  cancelled: "Прервано.",
  nothingToCancel: "Нечего прерывать.",
  dontUnderstand: "Не понял. /help — что я умею.",
  failed: "Что-то пошло не так. Попробуйте позже."
}

const zh: Texts = {
  help: [
    "/tasks — 您的未完成任务",
    "/inbox — 分配给您的任务：接受或拒绝",
    "/request — 提交维修申请",
    "/requests — 您的维修申请及状态",
    "/cancel — 停止当前问题",
    "/help — 本列表"
  ].join("\n"),
  notLinked: "您的 Telegram 尚未绑定 taskdesk。请登录 taskdesk，获取 Telegram 绑定码，然后在此发送 /start <绑定码>。",
  linked: (name) => `绑定成功：您在 taskdesk 中是 ${name}。`,
  badCode: "绑定码无效或已过期。请在 taskdesk 中重新获取。",
  hello: (name) => `您好，${name}。`,
  noTasks: "您没有未完成的任务。",
  tasksHeader: "您的未完成任务：",
  due: (when) => `截止 ${when}`,
  noPending: "没有等待您回复的任务。",
  offer: (title, due) => `${title}${due === undefined ? "" : `\n截止时间：${due}`}`,
  accepted: (title) => `✅ 已接受：${title}`,
  acceptedShort: "已接受",
  askReason: (title) => `您为什么拒绝「${title}」？请输入拒绝理由（或 /cancel）。`,
  reasonPrompt: "请输入拒绝理由",
  badReason: "理由须为 1 到 2000 个字符。请重新输入（或 /cancel）。",
  rejected: (title) => `❌ 已拒绝：${title}。理由已转达。`,
  already: (status) => `该任务${statuses.zh[status]}。`,
  notYours: "这不是分配给您的任务。",
  unknownButton: "此按钮已失效。",
  askDeviceType: "需要维修什么设备？（例如：冰箱、洗衣机）",
  askModel: "设备型号是什么？",
  askProblem: "出了什么问题？",
  tooLong: (max) => `请不要超过 ${max} 个字符。`,
  filed: (reference) => `维修单 ${reference} 已提交。/requests 可查看状态。`,
  mayNotFile: "您无权提交维修申请。",
  noRequests: "您没有维修申请。",
  requestLine: (r) => line(r, "zh"),
  cancelled: "已停止。",
  nothingToCancel: "没有可停止的内容。",
  dontUnderstand: "我没有理解。/help 列出我能做的事。",
  failed: "出了点问题，请稍后再试。"
}

/** The bot's words in a language. */
export const texts: Readonly<Record<Language, Texts>> = { en, ru, zh }
