import { Context, Layer } from "effect"

/**
 * Whether the server finished starting (migrations, seeding, its background work): `/api/ready`
 * answers 503 until then. Hosts that serve the API some other way are ready from the start.
 */
export class Readiness extends Context.Reference<Readiness>()("@taskdesk/http/Readiness", {
  defaultValue: (): { readonly isReady: () => boolean; readonly markReady: () => void } => ({
    isReady: () => true,
    markReady: () => {}
  })
}) {
  /** Not ready until `markReady`. */
  static readonly layerStarting: Layer.Layer<Readiness> = Layer.sync(Readiness, () => {
    let ready = false
    return {
      isReady: () => ready,
      markReady: () => {
        ready = true
      }
    }
  })
}
