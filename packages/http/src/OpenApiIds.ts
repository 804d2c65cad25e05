/**
 * Effect writes every `Schema.Unknown` as `{"$id": "/schemas/unknown"}` in place. One `$id` at several places
 * makes the document invalid JSON Schema (an id names one schema), and OpenAPI 3.1 validators refuse it.
 * Nothing refers to those ids (references go through `#/components`), so ids that repeat are dropped.
 */
export const withoutRepeatedIds = (spec: Record<string, unknown>): Record<string, unknown> => {
  const counts = new Map<unknown, number>()
  const count = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(count)
    else if (typeof node === "object" && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === "$id") counts.set(value, (counts.get(value) ?? 0) + 1)
        count(value)
      }
    }
  }
  const strip = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.map(strip)
      : typeof node === "object" && node !== null
        ? Object.fromEntries(
            Object.entries(node)
              .filter(([key, value]) => key !== "$id" || (counts.get(value) ?? 0) < 2)
              .map(([key, value]) => [key, strip(value)])
          )
        : node
  count(spec)
  return strip(spec) as Record<string, unknown>
}
