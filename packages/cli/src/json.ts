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

/**
 * JSON.stringify's replacer for `--json` output: floats lose the noise of binary arithmetic
 * (`93.52399999999966` is printed `93.524`). At least 1: three decimals (a microsecond of a
 * millisecond figure); below 1: six significant digits, so ratios and bit error rates keep
 * their meaning.
 */
export function roundFloats (_key: string, v: unknown): unknown {
  if (typeof v !== 'number' || Number.isInteger(v) || !Number.isFinite(v)) return v
  return Math.abs(v) >= 1 ? Number(v.toFixed(3)) : Number(v.toPrecision(6))
}
