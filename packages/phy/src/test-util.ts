/*! Helpers for phy's own tests (excluded from the build by the `test-*.ts` pattern). */
import type { FrameUnwrapper, SirEvent } from './events.js'

export const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).filter(x => x !== '').map(h => parseInt(h, 16)))

/** Feeds `wire` to `rx` cut at the given offsets (any order, duplicates fine); returns every event. */
export function pushChunked (rx: FrameUnwrapper, wire: Uint8Array, cuts: number[]): SirEvent[] {
  const points = [...new Set(cuts.map(c => c % (wire.length + 1)))].sort((a, b) => a - b)
  const events: SirEvent[] = []
  let from = 0
  for (const p of [...points, wire.length]) {
    events.push(...rx.push(wire.subarray(from, p)))
    from = Math.max(from, p)
  }
  return events
}

/** Events as short strings: hex of a frame, or the error reason. */
export const describe = (evs: SirEvent[]): string[] =>
  evs.map(e => e.type === 'frame' ? Buffer.from(e.frame).toString('hex') : `error:${e.reason}`)

export function flipBit (bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice()
  out[bit >> 3] ^= 1 << (bit & 7)
  return out
}
