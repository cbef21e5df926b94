/*!
 * IAS attribute values (IrLMP 1.1 section 4.3). On the wire a value is a type byte and its data:
 *   0 missing       (no data)
 *   1 integer       4 bytes, big-endian, signed
 *   2 octet seq     2-byte big-endian length, then up to 1024 bytes
 *   3 user string   charset byte, 1-byte length, then up to 255 bytes
 */
import { fail, ok, type Decoded } from '@irdakit/core'

export const IAS_TYPE = { MISSING: 0, INTEGER: 1, OCTET_SEQUENCE: 2, USER_STRING: 3 } as const

/** Limits from IrLMP 1.1: class and attribute names, octet sequences and user strings. */
export const IAS_LIMITS = {
  CLASS_NAME: 60,
  ATTRIBUTE_NAME: 60,
  OCTET_SEQUENCE: 1024,
  USER_STRING: 255,
} as const

/** Character sets of user strings and nicknames (IrLMP 1.1 section 3.7). */
export const Charset = {
  ASCII: 0x00,
  ISO_8859_1: 0x01, ISO_8859_2: 0x02, ISO_8859_3: 0x03, ISO_8859_4: 0x04, ISO_8859_5: 0x05,
  ISO_8859_6: 0x06, ISO_8859_7: 0x07, ISO_8859_8: 0x08, ISO_8859_9: 0x09,
  UNICODE: 0xFF,
} as const

export type IasValue =
  | { type: 'missing' }
  | { type: 'integer', value: number }
  | { type: 'octets', value: Uint8Array }
  | { type: 'string', charset: number, value: Uint8Array }

/** A user string value from text. ASCII and ISO-8859-1 store one byte per character; Unicode is UCS-2 big-endian. */
export function userString (text: string, charset: number = Charset.ASCII): IasValue {
  return { type: 'string', charset, value: encodeText(text, charset) }
}

export function encodeText (text: string, charset: number): Uint8Array {
  if (charset === Charset.UNICODE) {
    const out = new Uint8Array(text.length * 2)
    for (let i = 0; i < text.length; i++) { const c = text.charCodeAt(i); out[2 * i] = c >> 8; out[2 * i + 1] = c & 0xFF }
    return out
  }
  return Uint8Array.from(text, ch => ch.charCodeAt(0) & 0xFF)
}

export function decodeText (bytes: Uint8Array, charset: number): string {
  if (charset === Charset.UNICODE) {
    let s = ''
    for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i] << 8) | bytes[i + 1])
    return s
  }
  return String.fromCharCode(...bytes)
}

/** Checks a value against the IrLMP limits; returns a message, or undefined when valid. */
export function checkIasValue (v: IasValue): string | undefined {
  switch (v.type) {
    case 'integer':
      if (!Number.isInteger(v.value) || v.value < -0x80000000 || v.value > 0xFFFFFFFF) return `IAS integer ${v.value} does not fit 32 bits`
      return undefined
    case 'octets':
      return v.value.length > IAS_LIMITS.OCTET_SEQUENCE ? `IAS octet sequence of ${v.value.length} bytes exceeds ${IAS_LIMITS.OCTET_SEQUENCE}` : undefined
    case 'string':
      if (v.value.length > IAS_LIMITS.USER_STRING) return `IAS user string of ${v.value.length} bytes exceeds ${IAS_LIMITS.USER_STRING}`
      return v.charset === Charset.UNICODE || v.charset <= Charset.ISO_8859_9 ? undefined : `unknown IAS charset 0x${v.charset.toString(16)}`
    case 'missing':
      return undefined
  }
}

export function iasValueLength (v: IasValue): number {
  switch (v.type) {
    case 'missing': return 1
    case 'integer': return 5
    case 'octets': return 3 + v.value.length
    case 'string': return 3 + v.value.length
  }
}

/** Writes a value at `offset` of `out`; returns the offset after it. The value must pass {@link checkIasValue}. */
export function writeIasValue (v: IasValue, out: Uint8Array, offset: number): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  switch (v.type) {
    case 'missing':
      out[offset] = IAS_TYPE.MISSING
      return offset + 1
    case 'integer':
      out[offset] = IAS_TYPE.INTEGER
      view.setUint32(offset + 1, v.value >>> 0)
      return offset + 5
    case 'octets':
      out[offset] = IAS_TYPE.OCTET_SEQUENCE
      view.setUint16(offset + 1, v.value.length)
      out.set(v.value, offset + 3)
      return offset + 3 + v.value.length
    case 'string':
      out[offset] = IAS_TYPE.USER_STRING
      out[offset + 1] = v.charset
      out[offset + 2] = v.value.length
      out.set(v.value, offset + 3)
      return offset + 3 + v.value.length
  }
}

/** Reads a value at `offset`; returns it with the offset after it, or a typed error. */
export function readIasValue (bytes: Uint8Array, offset: number): Decoded<{ value: IasValue, next: number }> {
  if (offset >= bytes.length) return fail('IAS value is missing its type byte')
  const type = bytes[offset]
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  switch (type) {
    case IAS_TYPE.MISSING:
      return ok({ value: { type: 'missing' }, next: offset + 1 })
    case IAS_TYPE.INTEGER:
      if (offset + 5 > bytes.length) return fail('IAS integer is shorter than 4 bytes')
      return ok({ value: { type: 'integer', value: view.getInt32(offset + 1) }, next: offset + 5 })
    case IAS_TYPE.OCTET_SEQUENCE: {
      if (offset + 3 > bytes.length) return fail('IAS octet sequence has no length')
      const len = view.getUint16(offset + 1)
      if (len > IAS_LIMITS.OCTET_SEQUENCE) return fail(`IAS octet sequence of ${len} bytes exceeds ${IAS_LIMITS.OCTET_SEQUENCE}`)
      if (offset + 3 + len > bytes.length) return fail('IAS octet sequence is truncated')
      return ok({ value: { type: 'octets', value: bytes.slice(offset + 3, offset + 3 + len) }, next: offset + 3 + len })
    }
    case IAS_TYPE.USER_STRING: {
      if (offset + 3 > bytes.length) return fail('IAS user string has no charset or length')
      const len = bytes[offset + 2]
      if (offset + 3 + len > bytes.length) return fail('IAS user string is truncated')
      return ok({ value: { type: 'string', charset: bytes[offset + 1], value: bytes.slice(offset + 3, offset + 3 + len) }, next: offset + 3 + len })
    }
    default:
      return fail(`unknown IAS value type ${type}`)
  }
}
