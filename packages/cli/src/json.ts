/*! JSON-safe copies of decoded values: bytes become hex strings, bigints decimal strings. */
export function toJsonValue (v: unknown): unknown {
  if (v instanceof Uint8Array) return [...v].map(b => b.toString(16).padStart(2, '0')).join('')
  if (typeof v === 'bigint') return v.toString()
  if (Array.isArray(v)) return v.map(toJsonValue)
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = toJsonValue(x)
    return o
  }
  return v
}
