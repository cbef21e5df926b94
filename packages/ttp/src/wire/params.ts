/*!
 * The TinyTP connect parameter list (TinyTP 1.1, connect TTP-PDU): a PI/PL/PV list, one byte of
 * parameter identifier, one byte of value length, then the value. The only parameter TinyTP
 * 1.1 defines is MaxSduSize (PI 0x01, PL 1..4, big-endian): the largest SDU the sender of the
 * connect PDU will reassemble. 0, or the parameter absent, means "no SAR".
 *
 * Unknown parameters are kept (so they can be reported) and otherwise ignored, as IrDA
 * negotiation lists require.
 */
import { ok, fail, type Decoded } from '@irdakit/core'

/** PI of the MaxSduSize parameter. */
export const PI_MAX_SDU_SIZE = 0x01

/** The largest MaxSduSize a 4-byte PV can carry. */
export const MAX_SDU_SIZE_LIMIT = 0xFFFF_FFFF

/** A parameter we do not know, kept verbatim. */
export interface UnknownParam { pi: number, pv: Uint8Array }

/** The decoded connect parameter list. */
export interface TtpParamsRepr {
  /** MaxSduSize when the list carries it. */
  maxSduSize?: number
  /** Parameters with other PIs, in wire order. */
  unknown: UnknownParam[]
}

/** Decodes a PI/PL/PV list. A truncated tuple, a bad MaxSduSize length or a repeated MaxSduSize is a WireError. */
export function parseParams (bytes: Uint8Array): Decoded<TtpParamsRepr> {
  const out: TtpParamsRepr = { unknown: [] }
  let at = 0
  while (at < bytes.length) {
    if (at + 2 > bytes.length) return fail(`TTP parameter at offset ${at} has no PL byte`)
    const pi = bytes[at]
    const pl = bytes[at + 1]
    const pv = bytes.subarray(at + 2, at + 2 + pl)
    if (pv.length !== pl) return fail(`TTP parameter 0x${hex(pi)} claims ${pl} bytes, ${pv.length} present`)
    if (pi === PI_MAX_SDU_SIZE) {
      if (pl < 1 || pl > 4) return fail(`MaxSduSize PL must be 1..4, got ${pl}`)
      if (out.maxSduSize !== undefined) return fail('MaxSduSize appears twice')
      out.maxSduSize = readBigEndian(pv)
    } else {
      out.unknown.push({ pi, pv: pv.slice() })
    }
    at += 2 + pl
  }
  return ok(out)
}

/** Encoded length of {@link emitParams} for `p`. */
export function paramsLen (p: TtpParamsRepr): number {
  let n = p.maxSduSize === undefined ? 0 : 2 + intLen(p.maxSduSize)
  for (const u of p.unknown) n += 2 + u.pv.length
  return n
}

/**
 * Encodes the list: MaxSduSize first, with the shortest PV of 1, 2 or 4 bytes (Linux only
 * decodes those three lengths), then the unknown parameters.
 */
export function emitParams (p: TtpParamsRepr, out: Uint8Array = new Uint8Array(paramsLen(p))): Uint8Array {
  let at = 0
  if (p.maxSduSize !== undefined) {
    const pl = intLen(p.maxSduSize)
    out[at++] = PI_MAX_SDU_SIZE
    out[at++] = pl
    for (let i = pl - 1; i >= 0; i--) out[at++] = Math.floor(p.maxSduSize / 2 ** (8 * i)) & 0xFF
  }
  for (const u of p.unknown) {
    out[at++] = u.pi
    out[at++] = u.pv.length
    out.set(u.pv, at)
    at += u.pv.length
  }
  return out
}

function intLen (v: number): 1 | 2 | 4 {
  return v <= 0xFF ? 1 : v <= 0xFFFF ? 2 : 4
}

function readBigEndian (pv: Uint8Array): number {
  let v = 0
  for (const b of pv) v = v * 256 + b
  return v
}

function hex (b: number): string { return b.toString(16).padStart(2, '0') }
