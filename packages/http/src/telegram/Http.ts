import { TelegramLinking } from "@taskdesk/core"
import { Effect } from "effect"
import { TaskdeskApi } from "../Api.js"
import { ServerSettings } from "../Config.js"
import * as Dispatcher from "../serve/Dispatcher.js"
import { TelegramLink } from "./Api.js"

/** Telegram linking: a code for the signed-in person, and removing their link. */
export const TelegramLive = Dispatcher.group(TaskdeskApi, "telegram", (handlers) =>
  Effect.gen(function* () {
    const linking = yield* TelegramLinking.TelegramLinking
    const bot = (yield* ServerSettings).telegram.botUsername
    return handlers
      .handle("link", () =>
        Effect.map(
          linking.issue(),
          ({ code, expiresAt }) =>
            new TelegramLink({
              code,
              expiresAt,
              ...(bot === undefined ? {} : { link: `https://t.me/${bot}?start=${encodeURIComponent(code)}` })
            })
        )
      )
      .handle("unlink", () => Effect.asVoid(linking.unlink()))
  })
)
