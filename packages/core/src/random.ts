/*!
 * Seeded randomness. Protocol layers take a `Random` instead of calling Math.random, so a
 * given seed always replays the same discovery slots, device addresses and faults.
 */

/** A source of uniform random numbers. */
export interface Random {
  /** Uniform float in [0, 1). */
  next(): number
  /** Uniform integer in [0, n). */
  int(n: number): number
  /** Uniform unsigned 32-bit integer. */
  u32(): number
}

/** Mulberry32: small, fast, and good enough for simulation (not for cryptography). */
export class SeededRandom implements Random {
  private state: number
  constructor (seed: number) { this.state = seed >>> 0 }

  u32 (): number {
    this.state = (this.state + 0x6D2B79F5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }

  next (): number { return this.u32() / 4294967296 }
  int (n: number): number { return Math.floor(this.next() * n) }

  /** A derived, independent stream (e.g. one per station) from this one. */
  fork (): SeededRandom { return new SeededRandom(this.u32() ^ 0x9E3779B9) }
}
