/*! Argument parsers for commander: each rejects with a one-line InvalidArgumentError. */
import { InvalidArgumentError } from 'commander'
import { SPEEDS } from '@irdakit/phy'

export function parseSpeed (v: string): number {
  const n = Number(v)
  if (!SPEEDS.includes(n as never)) throw new InvalidArgumentError(`must be one of ${SPEEDS.join(', ')}`)
  return n
}

export function parseBer (v: string): number {
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError('must be a bit error rate from 0 up to (not including) 1, e.g. 1e-5')
  return n
}

export function parseCount (v: string): number {
  const n = Number(v)
  if (v.trim() === '' || !Number.isInteger(n) || n < 1 || n > 64 * 1024 * 1024) throw new InvalidArgumentError('must be a whole number from 1 to 67108864')
  return n
}

export function parseSeed (v: string): number {
  const n = Number(v)
  if (v.trim() === '' || !Number.isInteger(n) || n < 0 || n > 0xFFFFFFF) throw new InvalidArgumentError('must be a whole number from 0 to 268435455')
  return n
}

export function parseSlots (v: string): 1 | 6 | 8 | 16 {
  const n = Number(v)
  if (n !== 1 && n !== 6 && n !== 8 && n !== 16) throw new InvalidArgumentError('must be 1, 6, 8 or 16')
  return n
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }

/** A byte count: a whole number with an optional K, M or G (powers of 1024), e.g. 64M. */
export function parseSize (v: string): number {
  const m = /^(\d+)\s*([kmg]?)i?b?$/i.exec(v.trim())
  const n = m === null ? NaN : Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()]
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a size in bytes, e.g. 4096, 64K, 16M or 2G')
  return n
}
