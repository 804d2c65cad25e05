/**
 * `pnpm --filter @taskdesk/adapters fake:openai [--port 8089] [--mode good|malformed|slow|flaky|error]`:
 * the fake OpenAI-compatible provider on 127.0.0.1, to try task analysis without a key or a network.
 */
import { type Behaviour, start } from "./FakeOpenAi.js"

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}

const modes: Record<string, Behaviour> = {
  good: { _tag: "analysis" },
  malformed: { _tag: "content", content: '{"summary": "cut short' },
  slow: { _tag: "delay", ms: 120_000 },
  error: { _tag: "status", status: 500 }
}

const mode = arg("mode") ?? process.env.FAKE_OPENAI_MODE ?? "good"
const port = Number(arg("port") ?? process.env.FAKE_OPENAI_PORT ?? 8089)
if (mode !== "flaky" && modes[mode] === undefined) {
  console.error(`unknown mode ${mode}: good, malformed, slow, flaky (429 then good) or error`)
  process.exit(2)
}

const fake = await start({ port, behaviour: modes[mode] ?? { _tag: "analysis" } })
if (mode === "flaky") {
  // Every other request is refused with 429 and Retry-After: 1, so each analysis is retried once.
  let n = 0
  const next = () => fake.answerNext({ _tag: "status", status: 429, headers: { "retry-after": "1" } })
  next()
  setInterval(() => {
    if (fake.received.length > n) {
      n = fake.received.length
      if (n % 2 === 0) next()
    }
  }, 50).unref()
}
console.log(`fake OpenAI-compatible API (${mode}) at ${fake.url}`)
console.log(`try: TASKDESK_LLM_BASE_URL=${fake.url} TASKDESK_LLM_API_KEY=fake TASKDESK_LLM_MODEL=fake-model pnpm dev`)
const stop = () => {
  void fake.close().then(() => process.exit(0))
}
process.on("SIGINT", stop)
process.on("SIGTERM", stop)
