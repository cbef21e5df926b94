/*!
 * The time column of `irda dump`: seconds since the first frame, six decimals, right-aligned
 * in 12 characters, exactly as `t.toFixed(6).padStart(12)` writes it, for a tenth of the cost
 * (toFixed was a tenth of the CPU time of a dump line).
 */

/** '000'..'999' */
const DIGITS3: readonly string[] = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'))
const SPACES = ' '.repeat(12)

/** `t.toFixed(6).padStart(12)` for `t` seconds. */
export function secondsColumn (t: number): string {
  const us = Math.round(t * 1e6)
  // Capture times are whole microseconds; anything else (negative, huge, between) takes toFixed.
  if (!(t >= 0 && us <= Number.MAX_SAFE_INTEGER && Math.abs(t * 1e6 - us) < 1e-3)) return t.toFixed(6).padStart(12)
  const whole = Math.floor(us / 1e6)
  const frac = us - whole * 1e6
  const s = `${whole}.${DIGITS3[Math.floor(frac / 1000)]}${DIGITS3[frac % 1000]}`
  return s.length >= 12 ? s : SPACES.slice(s.length) + s
}
