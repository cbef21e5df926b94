/*!
 * Fault configuration for a room and the pure functions that apply it to encoded bytes.
 *
 * Every fault acts on the wire bytes a receiver gets (what `wrapForSpeed` put on the air), so a
 * flipped bit is a flipped bit of a real SIR byte, MIR bit or FIR chip, and the receiver's own
 * unwrapper (FCS check, illegal symbols) is what notices it.
 */
import { LocalProtocolError, type Random } from '@irdakit/core'

/** A window of time in which the beam is blocked (someone walks between the stations). */
export interface Obstruction {
  /** Start of the window, ms on the room clock (inclusive). */
  from: number
  /** End of the window, ms on the room clock (exclusive). */
  to: number
  /** Stations behind the obstruction: frames from or to them are blocked. Default: every station. */
  stations?: string[]
}

/** Faults applied to every reception, independently per receiver, with the room's seeded RNG. */
export interface FaultConfig {
  /** Bit error rate: each wire bit is flipped with this probability. */
  ber?: number
  /** Error bursts: a burst starts at any wire bit with probability `rate` and spans `length` bits (first and last flipped, the rest random). */
  burst?: { rate: number, length: number }
  /** Probability that a receiver misses a frame entirely (it still sensed the carrier). */
  dropRate?: number
  /** Windows in which the beam is blocked: frames overlapping them do not arrive. */
  obstructions?: Obstruction[]
  /** Pairs of stations that cannot see each other at all. */
  outOfRange?: Array<[string, string]>
}

const isProbability = (x: number): boolean => Number.isFinite(x) && x >= 0 && x <= 1

/** Throws {@link LocalProtocolError} for a configuration that makes no sense. */
export function checkFaults (f: FaultConfig): void {
  if (f.ber !== undefined && !isProbability(f.ber)) throw new LocalProtocolError(`ber must be in [0, 1], got ${f.ber}`)
  if (f.dropRate !== undefined && !isProbability(f.dropRate)) throw new LocalProtocolError(`dropRate must be in [0, 1], got ${f.dropRate}`)
  if (f.burst !== undefined) {
    const { rate, length } = f.burst
    if (!isProbability(rate)) throw new LocalProtocolError(`burst.rate must be in [0, 1], got ${rate}`)
    if (!Number.isInteger(length) || length < 1) throw new LocalProtocolError(`burst.length must be a positive integer, got ${length}`)
  }
  for (const o of f.obstructions ?? []) {
    if (!Number.isFinite(o.from) || !Number.isFinite(o.to) || o.to < o.from) {
      throw new LocalProtocolError(`obstruction needs finite from <= to, got [${o.from}, ${o.to})`)
    }
  }
}

/** True when an obstruction blocks the beam between `a` and `b` at some time in [start, end). */
export function isObstructed (f: FaultConfig, a: string, b: string, start: number, end: number): boolean {
  for (const o of f.obstructions ?? []) {
    const overlaps = o.from < end && start < o.to
    const affects = o.stations === undefined || o.stations.includes(a) || o.stations.includes(b)
    if (overlaps && affects) return true
  }
  return false
}

/**
 * Bit positions (0 = LSB of byte 0) hit by independent events of probability `p` per bit, over
 * `bits` bits. Geometric skipping: one random draw per event, not per bit.
 */
function eventPositions (p: number, bits: number, rng: Random): number[] {
  const out: number[] = []
  if (p <= 0 || bits === 0) return out
  if (p >= 1) { for (let i = 0; i < bits; i++) out.push(i); return out }
  const logq = Math.log1p(-p)
  let pos = -1
  for (;;) {
    pos += 1 + Math.floor(Math.log1p(-rng.next()) / logq)
    if (pos >= bits) return out
    out.push(pos)
  }
}

const flip = (bytes: Uint8Array, bit: number): void => { bytes[bit >> 3] ^= 1 << (bit & 7) }

/** Flips bits of `bytes` in place at rate `ber`; returns how many were flipped. */
export function applyBitErrors (bytes: Uint8Array, ber: number, rng: Random): number {
  const hits = eventPositions(ber, bytes.length * 8, rng)
  for (const bit of hits) flip(bytes, bit)
  return hits.length
}

/** Applies error bursts in place; returns how many bursts started inside `bytes`. */
export function applyBursts (bytes: Uint8Array, rate: number, length: number, rng: Random): number {
  const bits = bytes.length * 8
  const starts = eventPositions(rate, bits, rng)
  for (const s of starts) {
    const last = Math.min(s + length - 1, bits - 1)
    flip(bytes, s)
    for (let b = s + 1; b < last; b++) if (rng.next() < 0.5) flip(bytes, b)
    if (last > s) flip(bytes, last)
  }
  return starts.length
}
