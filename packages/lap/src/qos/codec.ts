/*!
 * QoS fields <-> parameter list (IrLAP 1.1 section 6.6). Encoding is canonical: all seven
 * parameters in the order Linux uses (01 82 83 84 85 86 08), the baud rate in 1 byte when it
 * fits and 2 otherwise. Decoding is tolerant of the peer bugs collected in irda-stacks.md:
 *
 * - a parameter missing, or a null (all-zero) PV: the spec's most conservative value is used
 *   (9600 bit/s; 500 ms; 64 bytes; window 1; 48 BOFs; 10 ms; 3 s), as Linux' `msb_index` does;
 * - a 2-byte (or longer) PV where 1 byte is expected: the low (first) byte is used;
 * - bits beyond the table (window bit 7, data size bits 6-7...): ignored;
 * - unknown PIs: skipped and returned in `unknown` so they can be reported;
 * - a PI given twice: the first one counts.
 * Each of these is listed in `quirks`, so callers can count them without failing the frame.
 */
import { ok, type Decoded } from '@irdakit/core'
import type { QosFields, QosQuirk } from '../frame.js'
import { InvalidReprError } from '../wire/errors.js'
import { parseParams, pvValue, type Param } from './params.js'
import { PI, VALID_BITS } from './tables.js'

export type QosKey = keyof QosFields

/** Which QoS field each parameter identifier carries. */
export const QOS_KEY_BY_PI: ReadonlyMap<number, QosKey> = new Map<number, QosKey>([
  [PI.BAUD_RATE, 'baudRate'],
  [PI.MAX_TURNAROUND, 'maxTurnaround'],
  [PI.DATA_SIZE, 'dataSize'],
  [PI.WINDOW_SIZE, 'windowSize'],
  [PI.ADDITIONAL_BOFS, 'additionalBofs'],
  [PI.MIN_TURNAROUND, 'minTurnaround'],
  [PI.LINK_DISCONNECT, 'linkDisconnect'],
])

const ENCODE_ORDER: ReadonlyArray<[number, QosKey]> = [...QOS_KEY_BY_PI.entries()]

/**
 * The value assumed for a missing or null parameter: 9600 bit/s (the one rate every station
 * has), and bit 0 of every other table, its most conservative entry.
 */
export const QOS_FALLBACK_BITS: Readonly<QosFields> = {
  baudRate: 0x02, maxTurnaround: 0x01, dataSize: 0x01, windowSize: 0x01, additionalBofs: 0x01, minTurnaround: 0x01, linkDisconnect: 0x01,
}

export type QosQuirkKind = QosQuirk['kind']


export interface ParsedQos {
  /** Usable fields: every field has at least one valid bit. */
  qos: QosFields
  /** Parameters with identifiers we do not know (ignored, per IrLAP 6.6.1). */
  unknown: Param[]
  /** Deviations from the spec that were tolerated. */
  quirks: QosQuirk[]
}

/** Parses a parameter list into QoS fields, tolerating known peer bugs (see the module note). */
export function parseQos (bytes: Uint8Array): Decoded<ParsedQos> {
  const params = parseParams(bytes)
  if (!params.ok) return params
  return ok(qosFromParams(params.value))
}

/** Builds QoS fields from an already split parameter list. Never fails. */
export function qosFromParams (params: readonly Param[]): ParsedQos {
  const seen = new Map<QosKey, number>()
  const unknown: Param[] = []
  const quirks: QosQuirk[] = []
  for (const { pi, pv } of params) {
    const key = QOS_KEY_BY_PI.get(pi)
    if (key === undefined) { unknown.push({ pi, pv }); continue }
    if (seen.has(key)) { quirks.push({ pi, kind: 'duplicate' }); continue }
    const width = key === 'baudRate' ? 2 : 1
    if (pv.length > width) quirks.push({ pi, kind: 'wide-pv' })
    const raw = pvValue(pv.subarray(0, width))
    const bits = raw & VALID_BITS[key]
    if (raw === 0) {
      quirks.push({ pi, kind: 'null-pv' })
    } else if (bits !== raw) {
      quirks.push({ pi, kind: 'extra-bits' })
    }
    seen.set(key, bits)
  }
  const qos = { ...QOS_FALLBACK_BITS }
  for (const [pi, key] of ENCODE_ORDER) {
    const bits = seen.get(key)
    if (bits === undefined) quirks.push({ pi, kind: 'missing' })
    if (bits !== undefined && bits !== 0) qos[key] = bits
  }
  return { qos, unknown, quirks }
}

/** Gives every field at least one valid bit (the fallback), so negotiation never sees an empty field. */
export function normalizeQos (q: QosFields): QosFields {
  const out = { ...QOS_FALLBACK_BITS }
  for (const [, key] of ENCODE_ORDER) {
    const bits = q[key] & VALID_BITS[key]
    if (bits !== 0) out[key] = bits
  }
  return out
}

/** The parameter list for `q`, canonical order. */
export function qosParams (q: QosFields): Param[] {
  return ENCODE_ORDER.map(([pi, key]) => {
    const v = q[key]
    const max = key === 'baudRate' ? 0xFFFF : 0xFF
    if (!Number.isInteger(v) || v < 0 || v > max) throw new InvalidReprError(`QoS ${key} bits ${v} do not fit the parameter`)
    const pv = v > 0xFF ? Uint8Array.of(v & 0xFF, v >> 8) : Uint8Array.of(v)
    return { pi, pv }
  })
}

/** Encodes QoS fields as a parameter list (IrLAP 6.6.1). */
export function encodeQos (q: QosFields): Uint8Array {
  const params = qosParams(q)
  const out = new Uint8Array(params.reduce((n, p) => n + 2 + p.pv.length, 0))
  let i = 0
  for (const p of params) { out[i] = p.pi; out[i + 1] = p.pv.length; out.set(p.pv, i + 2); i += 2 + p.pv.length }
  return out
}
