import { ApiFailure } from "./api.js"
import type { Translate } from "./i18n.js"

const field = (error: unknown, name: string): unknown =>
  typeof error === "object" && error !== null && name in error ? (error as Record<string, unknown>)[name] : undefined

const text = (u: unknown): string => (typeof u === "string" ? u : "")

/** A problem document from the API as a sentence a person can act on; never the raw JSON. */
export const describe = (failure: unknown, t: Translate): string => {
  if (!(failure instanceof ApiFailure)) return t("err_other", { detail: String(failure) })
  const e = failure.error
  switch (failure.tag) {
    case "VersionConflict":
    case "PreconditionFailed":
      return t("err_conflict")
    case "IllegalTransition":
      return t("err_transition", { from: text(field(e, "from")), to: text(field(e, "to")) })
    case "Unauthorized":
      return t("err_unauthorized")
    case "Forbidden":
      return t("err_forbidden")
    case "NotFound":
      return t("err_notFound")
    case "InvalidInput": {
      const issues = field(e, "issues")
      const detail = Array.isArray(issues)
        ? issues
            .map((i) => `${(field(i, "path") as Array<unknown>).join(".")}: ${text(field(i, "message"))}`)
            .join("; ")
        : text(field(e, "message"))
      return t("err_invalid", { detail })
    }
    case "RuleViolation":
      return t("err_rule", { detail: text(field(e, "message")) })
    case "BatchRejected":
      return t("err_batch")
    case "TooManyRequests":
      return t("err_tooMany", { seconds: String(field(e, "retryAfterSeconds")) })
    case "JobBusy":
      return t("err_busy")
    case "InvalidSchedule":
      return t("err_schedule", { detail: text(field(e, "message")) || text(field(e, "reason")) })
    case "RequestError":
      return t("err_network")
    default:
      return t("err_other", { detail: failure.tag })
  }
}

/** Whether the failure means the session is gone. */
export const isSignedOut = (failure: unknown) => failure instanceof ApiFailure && failure.tag === "Unauthorized"
