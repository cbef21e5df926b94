/*!
 * What the medium does to a transmission's bytes on the way to one receiver, besides random
 * faults: collisions, deafness while transmitting, and noise from a signal at another speed.
 * Times are ms on the room clock; wire byte `i` of a transmission occupies
 * [start + i * byteMs, start + (i + 1) * byteMs).
 */
import type { Random } from '@irdakit/core'

/** A span of time [from, to) on the medium. */
export interface Span { from: number, to: number }

/** Indices [first, last] of the wire bytes overlapping `span`, or undefined when none do. */
export function bytesDuring (count: number, start: number, byteMs: number, span: Span): [number, number] | undefined {
  const first = Math.max(0, Math.floor((span.from - start) / byteMs))
  const last = Math.min(count - 1, Math.ceil((span.to - start) / byteMs) - 1)
  return first <= last ? [first, last] : undefined
}

/**
 * Damages, in place, every byte that overlaps another signal (XOR with a non-zero random value:
 * two overlapping IR signals cannot be separated). A receiver cannot acquire a frame while
 * another signal is on the air, so if the overlap only touched the fill before the frame
 * (`fill` leading bytes: SIR XBOFs), the middle of the frame proper is damaged too: a collision
 * always costs both frames. Returns the number of damaged bytes.
 */
export function applyCollisions (bytes: Uint8Array, start: number, byteMs: number, fill: number, others: Span[], rng: Random): number {
  let damaged = 0
  let hitFrame = false
  for (const span of others) {
    const range = bytesDuring(bytes.length, start, byteMs, span)
    if (range === undefined) continue
    for (let i = range[0]; i <= range[1]; i++) {
      bytes[i] ^= 1 + rng.int(255)
      damaged++
      if (i >= fill) hitFrame = true
    }
  }
  if (damaged > 0 && !hitFrame && bytes.length > fill) {
    bytes[fill + ((bytes.length - fill) >> 1)] ^= 1 + rng.int(255)
    damaged++
  }
  return damaged
}

/** The bytes a receiver keeps when it is deaf during `own` spans (its own transmissions). */
export function dropDeafBytes (bytes: Uint8Array, start: number, byteMs: number, own: Span[]): Uint8Array {
  if (own.length === 0) return bytes
  const keep = new Uint8Array(bytes.length).fill(1)
  for (const span of own) {
    const range = bytesDuring(bytes.length, start, byteMs, span)
    if (range !== undefined) keep.fill(0, range[0], range[1] + 1)
  }
  return bytes.filter((_, i) => keep[i] === 1)
}

/**
 * What a receiver at another speed makes of a signal lasting `durationMs`: as many random bytes
 * as its own byte clock fits in that time.
 */
export function noiseBytes (durationMs: number, receiverByteMs: number, rng: Random): Uint8Array {
  const n = Math.floor(durationMs / receiverByteMs + 1e-9)
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = rng.int(256)
  return out
}
