/*!
 * OBEX packets: `opcode | u16 BE length (whole packet) | fields | headers`.
 * Fields: Connect (request and its response) carries `version | flags | u16 BE max packet`,
 * SetPath `flags | constants`; other packets have none. A response does not say what it
 * answers, so parsing a Connect response needs `{ connect: true }`.
 * {@link PacketReader} cuts a byte stream into packets by the length field and refuses lengths
 * under 3 or over the most it accepts, without ever buffering more than that.
 */
import { type Decoded, ok } from '@irdakit/core'
import { FINAL_BIT, Opcode } from './constants.js'
import { ObexWireError, type ObexWireReason } from './errors.js'
import { decodeHeaders, emitHeader, headersSize, type ObexHeader } from './headers.js'

export interface ConnectFields { version: number, flags: number, maxPacket: number }
export interface SetPathFields { flags: number, constants: number }

export interface ObexRequest {
  /** Opcode without the final bit ({@link Opcode}). */
  opcode: number
  final: boolean
  headers: ObexHeader[]
  connect?: ConnectFields
  setPath?: SetPathFields
}

export interface ObexResponse {
  /** Response code with its final bit, e.g. 0xA0 Success, 0x90 Continue. */
  code: number
  headers: ObexHeader[]
  connect?: ConnectFields
}

const bad = <T>(message: string, reason: ObexWireReason): Decoded<T> => ({ ok: false, error: new ObexWireError(message, reason) })

function fieldsSize (p: { connect?: ConnectFields, setPath?: SetPathFields }): number {
  return p.connect !== undefined ? 4 : p.setPath !== undefined ? 2 : 0
}

function emit (first: number, p: { headers: readonly ObexHeader[], connect?: ConnectFields, setPath?: SetPathFields }): Uint8Array {
  const size = 3 + fieldsSize(p) + headersSize(p.headers)
  if (size > 0xFFFF) throw new RangeError(`an OBEX packet of ${size} bytes does not fit the 16-bit length`)
  const out = new Uint8Array(size)
  out[0] = first; out[1] = size >> 8; out[2] = size & 0xFF
  let off = 3
  if (p.connect !== undefined) {
    out[3] = p.connect.version; out[4] = p.connect.flags; out[5] = p.connect.maxPacket >> 8; out[6] = p.connect.maxPacket & 0xFF
    off = 7
  } else if (p.setPath !== undefined) {
    out[3] = p.setPath.flags; out[4] = p.setPath.constants
    off = 5
  }
  for (const h of p.headers) off = emitHeader(h, out, off)
  return out
}

/** Bytes of a request packet. Connect, Disconnect, SetPath and Abort always carry the final bit. */
export function encodeRequest (r: ObexRequest): Uint8Array {
  const alwaysFinal = r.opcode === Opcode.connect || r.opcode === Opcode.disconnect || r.opcode === Opcode.setPath || r.opcode === Opcode.abort
  return emit(r.opcode | (r.final || alwaysFinal ? FINAL_BIT : 0), r)
}

export const encodeResponse = (r: ObexResponse): Uint8Array => emit(r.code, r)

/** Bytes a packet with these fields and headers takes (to fit a body into the peer's maximum). */
export const packetSize = (p: { headers: readonly ObexHeader[], connect?: ConnectFields, setPath?: SetPathFields }): number => 3 + fieldsSize(p) + headersSize(p.headers)

function checkLength (b: Uint8Array, min: number, what: string): Decoded<number> {
  if (b.length < 3) return bad(`${what} of ${b.length} bytes (at least 3)`, 'short-packet')
  const len = (b[1] << 8) | b[2]
  if (len !== b.length) return bad(`${what} says ${len} bytes in its length field but is ${b.length}`, 'length-mismatch')
  if (len < min) return bad(`${what} of ${len} bytes is too short for its fields (at least ${min})`, 'bad-fields')
  return ok(len)
}

const connectFields = (b: Uint8Array): ConnectFields => ({ version: b[3], flags: b[4], maxPacket: (b[5] << 8) | b[6] })

/** Parses one whole request packet (as {@link PacketReader} returns them). */
export function decodeRequest (b: Uint8Array): Decoded<ObexRequest> {
  const opcode = (b[0] ?? 0) & 0x7F
  const final = ((b[0] ?? 0) & FINAL_BIT) !== 0
  const fixed = opcode === Opcode.connect ? 7 : opcode === Opcode.setPath ? 5 : 3
  const len = checkLength(b, fixed, `request 0x${(b[0] ?? 0).toString(16)}`)
  if (!len.ok) return len
  const headers = decodeHeaders(b.subarray(fixed))
  if (!headers.ok) return headers
  const r: ObexRequest = { opcode, final, headers: headers.value }
  if (opcode === Opcode.connect) r.connect = connectFields(b)
  if (opcode === Opcode.setPath) r.setPath = { flags: b[3], constants: b[4] }
  return ok(r)
}

/** Parses one whole response packet; `connect` when it answers a Connect (it then has the Connect fields). */
export function decodeResponse (b: Uint8Array, opts: { connect?: boolean } = {}): Decoded<ObexResponse> {
  const fixed = opts.connect === true ? 7 : 3
  const len = checkLength(b, fixed, `response 0x${(b[0] ?? 0).toString(16)}`)
  if (!len.ok) return len
  const headers = decodeHeaders(b.subarray(fixed))
  if (!headers.ok) return headers
  const r: ObexResponse = { code: b[0], headers: headers.value }
  if (opts.connect === true) r.connect = connectFields(b)
  return ok(r)
}

/**
 * Cuts a byte stream into whole packets by their length field. A length under 3 or over
 * `maxPacket` loses the framing for good: `push` then returns the error, and every later push
 * the same error, since nothing after it can be trusted.
 */
export class PacketReader {
  private buf = new Uint8Array(0)
  private failed: ObexWireError | undefined

  constructor (public maxPacket: number) {}

  /** Bytes held waiting for the rest of a packet. */
  get pending (): number { return this.buf.length }

  push (bytes: Uint8Array): Decoded<Uint8Array[]> {
    if (this.failed !== undefined) return { ok: false, error: this.failed }
    const joined = new Uint8Array(this.buf.length + bytes.length)
    joined.set(this.buf); joined.set(bytes, this.buf.length)
    const packets: Uint8Array[] = []
    let off = 0
    while (joined.length - off >= 3) {
      const len = (joined[off + 1] << 8) | joined[off + 2]
      if (len < 3 || len > this.maxPacket) {
        this.failed = new ObexWireError(`packet 0x${joined[off].toString(16)} says ${len} bytes; this side takes 3 to ${this.maxPacket}`, len < 3 ? 'short-packet' : 'packet-too-large')
        this.buf = new Uint8Array(0)
        return { ok: false, error: this.failed }
      }
      if (joined.length - off < len) break
      packets.push(joined.slice(off, off + len))
      off += len
    }
    this.buf = joined.slice(off)
    return ok(packets)
  }
}
