/**
 * Fakes of the services taskdesk's channels and bot talk to, on 127.0.0.1, speaking each real
 * protocol: for tests and for running the bot by hand.
 */
export * as FakeDingTalk from "./FakeDingTalk.js"
export * as FakeOpenAi from "./FakeOpenAi.js"
export * as FakeSmtp from "./FakeSmtp.js"
export * as FakeTelegram from "./FakeTelegram.js"
export * as FakeWebhook from "./FakeWebhook.js"
