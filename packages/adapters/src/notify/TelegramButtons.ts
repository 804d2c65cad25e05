import type { User } from "@taskdesk/core"
import { Option } from "effect"
import type { InlineKeyboardMarkup } from "./TelegramApi.js"

/** What a button under an assignment offer asks for. */
export type AssignmentAction = "accept" | "reject"

/** A pressed button's meaning. Telegram hands back the button's data verbatim: treat it as untrusted input. */
export interface AssignmentPress {
  readonly action: AssignmentAction
  readonly assignmentId: string
}

const codes: Readonly<Record<AssignmentAction, string>> = { accept: "acc", reject: "rej" }

/** `a:acc:<id>`: fits Telegram's 64-byte callback data for ids up to 58 characters. */
export const encode = (press: AssignmentPress): string => `a:${codes[press.action]}:${press.assignmentId}`

/** The press a button's data names, if it is one of ours; nothing about who may press it. */
export const decode = (data: string | undefined): Option.Option<AssignmentPress> => {
  const match = /^a:(acc|rej):([A-Za-z0-9_.-]{1,58})$/.exec(data ?? "")
  if (match === null) return Option.none()
  return Option.some({ action: match[1] === "acc" ? "accept" : "reject", assignmentId: match[2]! })
}

export const labels: Readonly<Record<User.Language, Readonly<Record<AssignmentAction, string>>>> = {
  en: { accept: "✅ Accept", reject: "❌ Reject" },
  ru: { accept: "✅ Принять", reject: "❌ Отклонить" },
  zh: { accept: "✅ 接受", reject: "❌ 拒绝" }
}

/** Accept and Reject buttons for an assignment, labelled in the reader's language. */
export const assignmentKeyboard = (assignmentId: string, language: User.Language): InlineKeyboardMarkup => ({
  inline_keyboard: [
    [
      { text: labels[language].accept, callback_data: encode({ action: "accept", assignmentId }) },
      { text: labels[language].reject, callback_data: encode({ action: "reject", assignmentId }) }
    ]
  ]
})
