/*!
 * IAP frames: the Information Access Protocol that carries IAS operations over an LSAP
 * connection to selector 0x00 (IrLMP 1.1 section 4.2 and 4.3).
 *
 * Every IAP frame starts with a control byte: Lst (bit 7, last frame of this request or
 * response), Ack (bit 6, an acknowledgement that carries no data) and the opcode (bits 5..0).
 * A request or response too long for one LM-MUX PDU is sent as several frames; all but the
 * last have Lst clear, and the sender waits for an Ack frame after each of them. The bytes after
 * the control byte of each frame concatenate into one request or response body.
 */
import { fail, ok, type Decoded } from '@irdakit/core'
import { IAS_LIMITS, iasValueLength, readIasValue, writeIasValue, type IasValue } from './value.js'

export const IAP_OPCODE = {
  GET_INFO_BASE_DETAILS: 0x01,
  GET_OBJECTS: 0x02,
  GET_VALUE: 0x03,
  GET_VALUE_BY_CLASS: 0x04,
  GET_OBJECT_INFO: 0x05,
  GET_ATTRIBUTE_NAMES: 0x06,
} as const

const LST = 0x80
const ACK = 0x40
const OP_MASK = 0x3F

/** GetValueByClass return codes (IrLMP 1.1 section 4.3.5). */
export const IasReturn = {
  SUCCESS: 0,
  NO_SUCH_CLASS: 1,
  NO_SUCH_ATTRIBUTE: 2,
  /** Linux answers 10 when the IAS connection is torn down mid-operation; accepted, never sent. */
  LINUX_DISCONNECT: 10,
  UNSUPPORTED: 0xFF,
} as const

export interface IapControl { lst: boolean, ack: boolean, opcode: number }

export function parseIapControl (b: number): IapControl {
  return { lst: (b & LST) !== 0, ack: (b & ACK) !== 0, opcode: b & OP_MASK }
}

export function iapControl (c: IapControl): number {
  return (c.lst ? LST : 0) | (c.ack ? ACK : 0) | (c.opcode & OP_MASK)
}

export interface GetValueByClassRequest { className: string, attributeName: string }
export interface IasEntry { objectId: number, value: IasValue }
export interface GetValueByClassResponse { returnCode: number, entries: IasEntry[] }

/** Encodes the body (after the control byte) of a GetValueByClass request. Names are ASCII, 1..60 bytes. */
export function encodeGetValueByClass (req: GetValueByClassRequest): Decoded<Uint8Array> {
  const cls = nameBytes(req.className, IAS_LIMITS.CLASS_NAME, 'class')
  if (!cls.ok) return cls
  const attr = nameBytes(req.attributeName, IAS_LIMITS.ATTRIBUTE_NAME, 'attribute')
  if (!attr.ok) return attr
  const out = new Uint8Array(2 + cls.value.length + attr.value.length)
  out[0] = cls.value.length
  out.set(cls.value, 1)
  out[1 + cls.value.length] = attr.value.length
  out.set(attr.value, 2 + cls.value.length)
  return ok(out)
}

export function parseGetValueByClass (body: Uint8Array): Decoded<GetValueByClassRequest> {
  if (body.length < 1) return fail('GetValueByClass request has no class name length')
  const clen = body[0]
  if (1 + clen + 1 > body.length) return fail('GetValueByClass class name is truncated')
  const alen = body[1 + clen]
  if (2 + clen + alen > body.length) return fail('GetValueByClass attribute name is truncated')
  if (clen > IAS_LIMITS.CLASS_NAME || alen > IAS_LIMITS.ATTRIBUTE_NAME) return fail('GetValueByClass name exceeds 60 bytes')
  return ok({
    className: String.fromCharCode(...body.subarray(1, 1 + clen)),
    attributeName: String.fromCharCode(...body.subarray(2 + clen, 2 + clen + alen)),
  })
}

/** Encodes the body of a GetValueByClass response: return code, then (on success) the list. */
export function encodeGetValueByClassResponse (res: GetValueByClassResponse): Uint8Array {
  if (res.returnCode !== IasReturn.SUCCESS) return Uint8Array.of(res.returnCode)
  let len = 3
  for (const e of res.entries) len += 2 + iasValueLength(e.value)
  const out = new Uint8Array(len)
  out[0] = IasReturn.SUCCESS
  out[1] = res.entries.length >> 8
  out[2] = res.entries.length & 0xFF
  let off = 3
  for (const e of res.entries) {
    out[off] = e.objectId >> 8
    out[off + 1] = e.objectId & 0xFF
    off = writeIasValue(e.value, out, off + 2)
  }
  return out
}

export function parseGetValueByClassResponse (body: Uint8Array): Decoded<GetValueByClassResponse> {
  if (body.length < 1) return fail('GetValueByClass response has no return code')
  const returnCode = body[0]
  if (returnCode !== IasReturn.SUCCESS) return ok({ returnCode, entries: [] })
  if (body.length < 3) return fail('GetValueByClass response has no list length')
  const count = (body[1] << 8) | body[2]
  const entries: IasEntry[] = []
  let off = 3
  for (let i = 0; i < count; i++) {
    if (off + 2 > body.length) return fail(`GetValueByClass list ends after ${i} of ${count} entries`)
    const objectId = (body[off] << 8) | body[off + 1]
    const v = readIasValue(body, off + 2)
    if (!v.ok) return v
    entries.push({ objectId, value: v.value.value })
    off = v.value.next
  }
  return ok({ returnCode, entries })
}

/**
 * Splits an IAP body into frames of at most `maxFrame` bytes each (control byte included),
 * setting Lst on the last one only.
 */
export function segmentIap (opcode: number, body: Uint8Array, maxFrame: number): Uint8Array[] {
  const room = Math.max(1, maxFrame - 1)
  const frames: Uint8Array[] = []
  let off = 0
  do {
    const chunk = body.subarray(off, off + room)
    off += chunk.length
    const f = new Uint8Array(1 + chunk.length)
    f[0] = iapControl({ lst: off >= body.length, ack: false, opcode })
    f.set(chunk, 1)
    frames.push(f)
  } while (off < body.length)
  return frames
}

/** An Ack frame for `opcode` (no data): sent after every frame whose Lst bit is clear. */
export function iapAck (opcode: number): Uint8Array {
  return Uint8Array.of(iapControl({ lst: false, ack: true, opcode }))
}

function nameBytes (name: string, max: number, what: string): Decoded<Uint8Array> {
  if (name.length === 0) return fail(`IAS ${what} name is empty`)
  if (name.length > max) return fail(`IAS ${what} name "${name.slice(0, 20)}..." is ${name.length} bytes, more than ${max}`)
  for (let i = 0; i < name.length; i++) {
    if (name.charCodeAt(i) > 0x7E || name.charCodeAt(i) < 0x20) return fail(`IAS ${what} name must be printable ASCII`)
  }
  return ok(Uint8Array.from(name, c => c.charCodeAt(0)))
}
