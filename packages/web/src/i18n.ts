import { createContext, useContext } from "react"

export const en = {
  appName: "taskdesk",
  signIn: "Sign in",
  signInTelegram: "Or sign in with Telegram:",
  signOut: "Sign out",
  username: "Username",
  password: "Password",
  language: "Language",
  board: "Board",
  inbox: "My inbox",
  library: "Library",
  repairs: "Repairs",
  projects: "Projects",
  statistics: "Statistics",
  admin: "Admin",
  loading: "Loading…",
  status: "Status",
  status_todo: "To do",
  status_in_progress: "In progress",
  status_done: "Done",
  status_cancelled: "Cancelled",
  priority: "Priority",
  priority_low: "Low",
  priority_normal: "Normal",
  priority_high: "High",
  priority_urgent: "Urgent",
  assignee: "Assignee",
  project: "Project",
  tag: "Tag",
  dueBefore: "Due before",
  search: "Search",
  created: "Created",
  filters: "Filters",
  any: "Any",
  due: "Due",
  overdue: "Overdue",
  dueSoon: "Due soon",
  moveTo: "Move to",
  moved: "Moved to {status}",
  keyboardHint: "Focus a card and press ← or → to move it between columns.",
  pending: "Pending",
  assignment_pending: "Pending",
  assignment_accepted: "Accepted",
  assignment_rejected: "Rejected",
  assignment_completed: "Completed",
  assignment_cancelled: "Cancelled",
  inProgress: "In progress",
  all: "All",
  accept: "Accept",
  reject: "Reject",
  complete: "Complete",
  reason: "Reason",
  confirmReject: "Reject with this reason",
  cancel: "Cancel",
  nothing: "Nothing here.",
  details: "Details",
  description: "Description",
  assignees: "Assignees",
  comments: "Comments",
  addComment: "Add comment",
  comment: "Comment",
  history: "History",
  back: "Back",
  templates: "Templates",
  people: "People",
  dueDate: "Due date",
  assignSelected: "Assign",
  assigned: "Assigned {count} task(s).",
  rowProblem: "Row {row}",
  newRepair: "New repair request",
  deviceType: "Device type",
  deviceModel: "Model",
  serialNumber: "Serial number",
  problemDescription: "Problem",
  category: "Category",
  file: "File request",
  filed: "Request {ref} filed.",
  technician: "Technician",
  deadline: "Deadline",
  assign: "Assign",
  start: "Start",
  hold: "Hold",
  note: "Note",
  rate: "Rate",
  score: "Score",
  feedback: "Feedback",
  rated: "Rated {score}/5",
  repair_new: "New",
  repair_in_progress: "In progress",
  repair_on_hold: "On hold",
  repair_completed: "Completed",
  repair_cancelled: "Cancelled",
  documents: "Incoming documents",
  resolutions: "Resolutions",
  title: "Title",
  body: "Text",
  fileDocument: "Register document",
  issueResolution: "Issue resolution",
  repairsByStatus: "Repairs by status",
  repairsByDevice: "Repairs by device type",
  completionTimes: "Completion time (hours)",
  perTechnician: "Per technician",
  tasksPerAssignee: "Tasks per assignee",
  tasksPerProject: "Tasks per project",
  acceptance: "Acceptance",
  rejectionReasons: "Rejection reasons",
  users: "Users & roles",
  role: "Role",
  name: "Name",
  active: "Active",
  save: "Save",
  saved: "Saved.",
  tokens: "API tokens",
  newToken: "New token",
  tokenShownOnce: "Copy it now; it is shown once:",
  revoke: "Revoke",
  jobs: "Scheduled jobs",
  schedule: "Schedule",
  nextRun: "Next run",
  lastRun: "Last run",
  runNow: "Run now",
  runs: "History",
  ran: "Run {status}",
  enabled: "Enabled",
  live: "Live",
  polling: "Refreshing every 30 s",
  skip: "Skip to content",
  menu: "Menu",
  err_conflict: "Someone else changed this meanwhile; reload and try again.",
  err_transition: "This move is not allowed: {from} → {to}.",
  err_unauthorized: "Your session has ended; sign in again.",
  err_badLogin: "Wrong username or password.",
  err_telegram:
    "Telegram sign-in was refused: this Telegram account is not linked to a user here, or the sign-in is too old. Try again, or use your password.",
  err_forbidden: "You may not do this.",
  err_notFound: "It no longer exists, or you may not see it.",
  err_invalid: "Please check the highlighted fields: {detail}",
  err_rule: "Refused: {detail}",
  err_batch: "Nothing was assigned: fix the rows marked below.",
  err_tooMany: "Too many requests; wait {seconds} s and try again.",
  err_busy: "The job is running already.",
  err_schedule: "That schedule is not valid: {detail}",
  err_network: "The server cannot be reached; check the connection and try again.",
  err_other: "Something went wrong ({detail}); try again."
}

export type Key = keyof typeof en
export type Dictionary = Record<Key, string>

export type Language = "en" | "ru" | "zh"

/** English is built in; the others load when chosen, keeping them out of the first load. */
export const loadDictionary = async (language: Language): Promise<Dictionary> =>
  language === "ru"
    ? (await import("./i18n/ru.js")).default
    : language === "zh"
      ? (await import("./i18n/zh.js")).default
      : en
export const languages: ReadonlyArray<{ code: Language; label: string }> = [
  { code: "en", label: "English" },
  { code: "ru", label: "Русский" },
  { code: "zh", label: "中文" }
]

/** The first of the browser's languages that the pages speak; English otherwise. */
export const fromBrowser = (preferred: ReadonlyArray<string>): Language => {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split("-")[0]
    if (base === "ru" || base === "zh" || base === "en") return base
  }
  return "en"
}

export type Translate = (key: Key, values?: Record<string, string | number>) => string

export const translator =
  (dictionary: Dictionary): Translate =>
  (key, values) => {
    const text = dictionary[key]
    return values === undefined ? text : text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ""))
  }

export const I18n = createContext<{ t: Translate; language: Language; setLanguage: (l: Language) => void }>({
  t: translator(en),
  language: "en",
  setLanguage: () => {}
})

export const useT = () => useContext(I18n)
