/*!
 * What every fuzz target shares: the verdict of one input, the defect a target reports, the
 * target's shape, refusal reasons that count up, and the round-trip check of a codec.
 */
import type { SeededRandom, Decoded } from '@irdakit/core'

/** `true`: the input was accepted; a string: why it was refused. */
export type Verdict = true | string

/** An invariant a decoder broke (as opposed to a refusal, which is normal). */
export class FuzzDefect extends Error {
  static override name = 'FuzzDefect'
  constructor (message: string) { super(message); this.name = 'FuzzDefect' }
}

export interface FuzzTarget {
  name: string
  /** The corpus inputs mutations start from. */
  seeds: Uint8Array[]
  /** Longest input to try. */
  maxLength: number
  /** An input from nothing (random or built by the codec's encoder from random values). */
  generate: (rng: SeededRandom) => Uint8Array
  run: (input: Uint8Array, rng: SeededRandom) => Verdict
  /** Bytes a stateful decoder holds between inputs, and the most it may. */
  retained?: () => number
  retainedLimit?: number
}

/** A refusal reason with the input-specific parts (numbers, names) taken out, so reasons count up. */
export function reasonOf (e: { name?: string, message: string }): string {
  const msg = e.message.replace(/"[^"]*"/g, '"…"').replace(/0x[0-9a-f]+|\d+/gi, m => m.startsWith('0x') ? '0x…' : 'N')
  return `${e.name !== undefined && e.name !== 'Error' ? e.name + ': ' : ''}${msg}`.slice(0, 100)
}

export const verdict = (d: Decoded<unknown>): Verdict => d.ok ? true : reasonOf(d.error)
export const pick = <T>(rng: SeededRandom, list: readonly T[]): T => list[rng.int(list.length)]
export const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/**
 * What a decoder accepted must encode again, and decode to the same value: a value the
 * decoder lets through but the encoder refuses, or that changes on the way, is a codec bug.
 */
export function roundTrip<T> (d: Decoded<T>, emit: (v: T) => Uint8Array, parse: (b: Uint8Array) => Decoded<T>): Verdict {
  if (!d.ok) return verdict(d)
  let again: Decoded<T>
  try { again = parse(emit(d.value)) } catch (e) { throw new FuzzDefect(`an accepted value does not encode: ${e instanceof Error ? e.message : String(e)}`) }
  if (!again.ok) throw new FuzzDefect(`an accepted value, encoded, is refused: ${again.error.message}`)
  const a = JSON.stringify(plain(d.value))
  const b = JSON.stringify(plain(again.value))
  if (a !== b) throw new FuzzDefect(`decode(encode(v)) differs from v: ${a.slice(0, 200)} vs ${b.slice(0, 200)}`)
  return true
}

/**
 * A JSON-comparable copy (byte arrays as hex), without `qosQuirks`: those note how the input
 * deviated (a duplicate or missing QoS parameter), which a correct encoder does not repeat.
 */
function plain (v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex')
  if (Array.isArray(v)) return v.map(plain)
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'qosQuirks').map(([k, x]) => [k, plain(x)]))
  return v
}

export function text (rng: SeededRandom, max: number): string {
  let s = ''
  for (let i = rng.int(max); i > 0; i--) s += String.fromCharCode(32 + rng.int(95))
  return s
}
