/*!
 * The IrLAP negotiation parameter list (IrLAP 1.1 section 6.6.1): a run of PI, PL, PV triples,
 * one byte of identifier, one of length, then PL bytes of value. Bit 7 of PI tells type 1
 * (each station states its own value) from type 0 (both must agree).
 */
import { ok, type Decoded } from '@irdakit/core'
import { MalformedFieldError, InvalidReprError, failWith } from '../wire/errors.js'

export interface Param {
  /** Parameter identifier. */
  pi: number
  /** Parameter value, PL bytes, as sent (multi-byte values are little-endian in IrLAP). */
  pv: Uint8Array
}

/** Splits a parameter list. Fails if a PL runs past the end (the list is then not trustworthy). */
export function parseParams (bytes: Uint8Array): Decoded<Param[]> {
  const out: Param[] = []
  let i = 0
  while (i < bytes.length) {
    if (i + 2 > bytes.length) return failWith(new MalformedFieldError(`parameter 0x${bytes[i].toString(16)} at offset ${i} has no length byte`))
    const pi = bytes[i]
    const pl = bytes[i + 1]
    if (i + 2 + pl > bytes.length) return failWith(new MalformedFieldError(`parameter 0x${pi.toString(16)} at offset ${i} claims ${pl} bytes, ${bytes.length - i - 2} left`))
    out.push({ pi, pv: bytes.slice(i + 2, i + 2 + pl) })
    i += 2 + pl
  }
  return ok(out)
}

export function paramsLen (params: readonly Param[]): number {
  return params.reduce((n, p) => n + 2 + p.pv.length, 0)
}

/** Writes a parameter list into `out` (which must be `paramsLen(params)` long or more). */
export function emitParams (params: readonly Param[], out: Uint8Array): void {
  let i = 0
  for (const p of params) {
    if (p.pv.length > 0xFF || p.pi < 0 || p.pi > 0xFF) throw new InvalidReprError(`parameter 0x${p.pi.toString(16)} cannot be encoded`)
    out[i] = p.pi
    out[i + 1] = p.pv.length
    out.set(p.pv, i + 2)
    i += 2 + p.pv.length
  }
}

/** Little-endian unsigned value of a PV (up to 4 bytes used; longer PVs keep their low 4 bytes). */
export function pvValue (pv: Uint8Array): number {
  let v = 0
  for (let i = Math.min(pv.length, 4) - 1; i >= 0; i--) v = v * 256 + pv[i]
  return v
}
