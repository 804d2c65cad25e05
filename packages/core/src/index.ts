/**
 * @taskdesk/core: taskdesk's pure domain. Imports only `effect`; storage, ids, time, event
 * delivery and policy are ports that layers fill.
 */
/** Who performs an operation: `Actor.as(user)`, `Actor.asSystem`. */
export * as Actor from "./Actor.js"
/** Asking a language model about a task or a repair request, under quotas and a cache. */
export * as Analyses from "./Analyses.js"
/** An analysis: summary, risks, suggested priority, subtasks and an estimate; what is sent to get one. */
export * as Analysis from "./Analysis.js"
/** Events recording analyses asked for. */
export * as AnalysisEvent from "./AnalysisEvent.js"
/** A hand-out of work to one person, and its states. */
export * as Assignment from "./Assignment.js"
/** Storage port of hand-outs. */
export * as AssignmentRepo from "./AssignmentRepo.js"
/** Handing out work in batches; accepting, rejecting, completing, cancelling; a person's inbox. */
export * as Assignments from "./Assignments.js"
/** The event log's record: who changed what, when, with a typed payload. */
export * as AuditEvent from "./AuditEvent.js"
/** Transactions that record their events, histories, reading the log, live events. */
export * as AuditLog from "./AuditLog.js"
/** The four jobs every server defines (reminders, daily report, backup, cleanup) and the core's handlers. */
export * as BuiltinJobs from "./BuiltinJobs.js"
/** Comments on tasks. */
export * as Comment from "./Comment.js"
/** Storage port of comments. */
export * as CommentRepo from "./CommentRepo.js"
/** Commenting on tasks. */
export * as Comments from "./Comments.js"
/** The daily report job: each manager's summary of the day. */
export * as DailyReport from "./DailyReport.js"
/** The deadline reminders job: one reminder per person of what is due soon or overdue. */
export * as DeadlineReminders from "./DeadlineReminders.js"
/** Documents of a project's register: incoming, resolutions, reports. */
export * as Document from "./Document.js"
/** Storage port of documents, with registration numbers per project and kind. */
export * as DocumentRepo from "./DocumentRepo.js"
/** Filing incoming documents and reading a project's register. */
export * as Documents from "./Documents.js"
/** The typed errors every service fails with. */
export * as Errors from "./Errors.js"
/** Port for live events, published after commit. */
export * as EventBus from "./EventBus.js"
/** The port that carries committed events to every instance's live subscribers (in process, or a broker). */
export * as EventFanout from "./EventFanout.js"
/** Storage port of the append-only event log. */
export * as EventLog from "./EventLog.js"
/** Which events an actor may see, by the core's own read rules. */
export * as EventVisibility from "./EventVisibility.js"
/** Other systems' ids for taskdesk's records (the seed ids of a loaded CSV file): the storage port. */
export * as ExternalRefs from "./ExternalRefs.js"
/** A field's old and new value, as the history shows them. */
export * as FieldChange from "./FieldChange.js"
/** Port for new ids: monotonic ULIDs, or counters in tests. */
export * as IdGenerator from "./IdGenerator.js"
/** Branded ids, so one kind of id is never passed for another. */
export * as Ids from "./Ids.js"
/** How an imported file's values (seed 000's statuses, priorities, roles, dates) map to taskdesk's. */
export * as ImportMapping from "./ImportMapping.js"
/** Importing users and tasks from CSV rows: checked whole, applied in one transaction or not at all. */
export * as Imports from "./Imports.js"
/** The one rule for dates and times every entry point accepts. */
export * as Instant from "./Instant.js"
/** Scheduled jobs and their runs, as data. */
export * as Job from "./Job.js"
/** Events about scheduled jobs. */
export * as JobEvent from "./JobEvent.js"
/** The kinds of job a host offers: a name, a parameter schema, what a run does. */
export * as JobHandlers from "./JobHandlers.js"
/** Cron and interval schedules, and their next occurrences across daylight saving. */
export * as JobSchedule from "./JobSchedule.js"
/** Storage port of jobs and runs, with exactly-once claims and heartbeats. */
export * as JobStore from "./JobStore.js"
/** Instants on a zone's wall clock, for messages. */
export * as LocalTime from "./LocalTime.js"
/** Every storage port in memory: `MemoryStorage.layer`, or over a store of your own: `MemoryStorage.layerOver`. */
export * as MemoryStorage from "./memory/MemoryStorage.js"
/** The store under `MemoryStorage`: its contract (`MemoryStore.Store`) and the in-memory database, with real transactions. */
export * as MemoryStore from "./memory/MemoryStore.js"
/** Telegram link codes in memory. */
export * as MemoryTelegramLinks from "./memory/MemoryTelegramLinks.js"
/** A message to a person in the outbox, and its delivery state. */
export * as Notification from "./Notification.js"
/** Which changes notify whom, run inside each change's transaction. */
export * as NotificationRules from "./NotificationRules.js"
/** Queueing notifications and delivering them through a channel, with retries. */
export * as Notifications from "./Notifications.js"
/** The texts of notifications, in each person's language. */
export * as NotificationTemplates from "./NotificationTemplates.js"
/** Service operations that make a tracing span only while a tracer is on. */
export * as Operation from "./Operation.js"
/** Storage port of pending and delivered notifications. */
export * as Outbox from "./Outbox.js"
/** Keyset pages: limits, orders, opaque cursors. */
export * as Page from "./Page.js"
/** Who may do what: rules as data, and the checks services make. */
export * as Policy from "./Policy.js"
/** Projects: an owner, members, documents and tasks. */
export * as Project from "./Project.js"
/** Events about projects and their documents. */
export * as ProjectEvent from "./ProjectEvent.js"
/** Storage port of projects. */
export * as ProjectRepo from "./ProjectRepo.js"
/** Creating, changing, archiving and listing projects. */
export * as Projects from "./Projects.js"
/** Events about repair requests. */
export * as RepairEvent from "./RepairEvent.js"
/** Filters, sorts and cursors of repair request lists. */
export * as RepairQuery from "./RepairQuery.js"
/** Appliance repair requests, their states and ratings. */
export * as RepairRequest from "./RepairRequest.js"
/** Storage port of repair requests and their comments. */
export * as RepairRequestRepo from "./RepairRequestRepo.js"
/** Filing, assigning, working, completing and rating repair requests. */
export * as RepairRequests from "./RepairRequests.js"
/** Figures about repair requests over a period. */
export * as RepairStatistics from "./RepairStatistics.js"
/** Issuing resolutions on incoming documents, and their executors' reports. */
export * as Resolutions from "./Resolutions.js"
/** The six roles, and the names the replaced systems used for them. */
export * as Role from "./Role.js"
/** Runs jobs on their schedules, once per occurrence across instances. */
export * as Scheduler from "./Scheduler.js"
/** Reading the repair and task statistics. */
export * as Statistics from "./Statistics.js"
/** Storage port of statistics, each figure defined exactly. */
export * as StatisticsRepo from "./StatisticsRepo.js"
/** Every storage port: what a storage layer provides. */
export * as Storage from "./Storage.js"
/** Tasks and their state machine. */
export * as Task from "./Task.js"
/** The port to a language model that analyses tasks and repair requests, and its errors. */
export * as TaskAnalysis from "./TaskAnalysis.js"
/** The layers that put taskdesk together: `layerMemory`, `layer`, `layerDefaults`. */
export * as TaskDesk from "./TaskDesk.js"
/** Events about tasks, templates and hand-outs. */
export * as TaskEvent from "./TaskEvent.js"
/** Filters, sorts and cursors of task lists; the reference meaning every store follows. */
export * as TaskQuery from "./TaskQuery.js"
/** Storage port of tasks. */
export * as TaskRepo from "./TaskRepo.js"
/** Figures about tasks over a period. */
export * as TaskStatistics from "./TaskStatistics.js"
/** Creating, changing, moving, listing tasks, and their history. */
export * as Tasks from "./Tasks.js"
/** Linking a person's Telegram account with a one-time code. */
export * as TelegramLinking from "./TelegramLinking.js"
/** Storage port of the one-time Telegram link codes. */
export * as TelegramLinks from "./TelegramLinks.js"
/** Templates of the task library. */
export * as Template from "./Template.js"
/** Storage port of templates. */
export * as TemplateRepo from "./TemplateRepo.js"
/** Managing the task library. */
export * as Templates from "./Templates.js"
/** The rules for text fields: one-line and multi-line, no control characters. */
export * as Text from "./Text.js"
/** Storage port of transactions: all or nothing. */
export * as Transaction from "./Transaction.js"
/** People: sign-in name, role, ways to reach them. */
export * as User from "./User.js"
/** Events about people. */
export * as UserEvent from "./UserEvent.js"
/** Storage port of people. */
export * as UserRepo from "./UserRepo.js"
/** Creating, changing, deactivating and listing people. */
export * as Users from "./Users.js"
/** Decoding input into typed values, with a path and message per bad field. */
export * as Validation from "./Validation.js"
