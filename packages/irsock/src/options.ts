/*!
 * getsockopt / setsockopt for IrSock sockets.
 *
 * SOL_IRLMP: get IRLMP_ENUMDEVICES, IRLMP_IAS_QUERY (both use the link, so they return a
 * Promise), IRLMP_SEND_PDU_LEN, IRLMP_9WIRE_MODE, IRLMP_EXCLUSIVE_MODE; set IRLMP_IAS_SET,
 * IRLMP_IRLPT_MODE, IRLMP_9WIRE_MODE, IRLMP_EXCLUSIVE_MODE. SOL_SOCKET: SO_LINGER,
 * SO_DONTLINGER. Anything else at a known level is WSAENOPROTOOPT; an unknown level WSAEINVAL.
 *
 * The three mode options are DWORD booleans fixed once the socket is bound or connecting:
 * setting one later fails with WSAEISCONN on a connecting or connected socket (connect's own
 * word for "already connected, or a mode change failed") and WSAEINVAL on a bound or listening
 * one. setsockopt is synchronous, so it cannot wait for the peer's answer to an IrLMP
 * access-mode request: exclusive mode is requested by connect, never by setsockopt.
 */
import type { IasValue } from '@irdakit/stack'
import { IrdaError } from '@irdakit/core'
import { IasQueryError, type IrdaStack } from '@irdakit/stack'
import {
  IAS_ATTRIB_INT, IAS_ATTRIB_NO_ATTRIB, IAS_ATTRIB_NO_CLASS, IAS_ATTRIB_OCTETSEQ, IAS_ATTRIB_STR, IAS_MAX_ATTRIBNAME, IAS_MAX_CLASSNAME,
  IAS_QUERY_SIZE, IAS_SET_SIZE, IRDA_DEVICE_INFO_SIZE, IRLMP_9WIRE_MODE, IRLMP_ENUMDEVICES, IRLMP_EXCLUSIVE_MODE, IRLMP_IAS_QUERY,
  IRLMP_IAS_SET, IRLMP_IRLPT_MODE, IRLMP_SEND_PDU_LEN, SOL_IRLMP, addressFromDeviceId, decodeIasSet, deviceIdFromAddress, deviceListSize,
  StructError, encodeDeviceList, writeIasQueryResult, type IasAttribute,
} from './af_irda.js'
import { SOCKET_ERROR, SOL_SOCKET, SO_DONTLINGER, SO_LINGER, WSAEFAULT, WSAEINVAL, WSAEISCONN, WSAENOPROTOOPT, WSAENOTCONN, WSAEWOULDBLOCK } from './winsock.js'
import { connectFailure, stackFailure } from './errors.js'
import { canWrite, isInt, roomOf } from './args.js'
import type { Sock, SockContext } from './sock.js'

/** An in/out length, as Winsock's `int *optlen`: in, the buffer's length; out, the bytes written. */
export interface IntRef { value: number }

/** Size of a DWORD option value. */
const DWORD = 4

function toIasValue (a: IasAttribute): IasValue | undefined {
  switch (a.type) {
    case IAS_ATTRIB_INT: return { type: 'integer', value: a.value }
    case IAS_ATTRIB_OCTETSEQ: return { type: 'octets', value: a.value }
    case IAS_ATTRIB_STR: return { type: 'string', charset: a.charSet, value: a.value }
    default: return undefined
  }
}

function fromIasValue (v: IasValue): IasAttribute {
  switch (v.type) {
    case 'integer': return { type: IAS_ATTRIB_INT, value: v.value }
    case 'octets': return { type: IAS_ATTRIB_OCTETSEQ, value: v.value }
    case 'string': return { type: IAS_ATTRIB_STR, charSet: v.charset, value: v.value }
    default: return { type: IAS_ATTRIB_NO_ATTRIB }
  }
}

/** IrLMP's limit on IAS class and attribute names (IrLMP 1.1 section 4.1). */
const IAS_NAME_MAX = 60

/**
 * A NUL-terminated IAS name from a char[field], or undefined when IrLMP cannot carry it: no
 * NUL inside the field, empty, longer than 60, or not printable ASCII.
 */
function iasName (b: Uint8Array, off: number, field: number): string | undefined {
  let s = ''
  for (let i = 0; i < field; i++) {
    const c = b[off + i]
    if (c === 0) return s.length > 0 && s.length <= IAS_NAME_MAX ? s : undefined
    if (c < 0x20 || c > 0x7E) return undefined
    s += String.fromCharCode(c)
  }
  return undefined
}

const dataView = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength)

async function enumDevices (stack: IrdaStack, optval: Uint8Array, room: number, optlen: IntRef | undefined): Promise<[number, number]> {
  if (room < deviceListSize(1)) return [SOCKET_ERROR, WSAEFAULT]
  const fit = Math.floor((room - 4) / IRDA_DEVICE_INFO_SIZE)
  let found: Awaited<ReturnType<IrdaStack['discover']>> = []
  let status = 'ok'
  try { ({ devices: found, status } = await stack.runDiscovery()) } catch (e) { if (!(e instanceof IrdaError)) throw e; found = [] } // a closed stack finds nobody
  // Refused discoveries return the discovery log; if that is empty, the medium was busy, which
  // is not "nobody there": try again (Linux af_irda says EAGAIN).
  if (status === 'media-busy' && found.length === 0) return [SOCKET_ERROR, WSAEWOULDBLOCK]
  const seen = new Set<number>()
  const devices = found.filter(d => !seen.has(d.deviceAddress) && seen.add(d.deviceAddress) !== undefined).slice(0, fit).map(d => ({
    deviceId: deviceIdFromAddress(d.deviceAddress),
    deviceName: d.nickname.slice(0, 22),
    hints1: d.hints[0] ?? 0,
    hints2: d.hints[0] !== undefined && (d.hints[0] & 0x80) !== 0 ? d.hints[1] ?? 0 : 0,
    charSet: d.charset,
  }))
  const bytes = encodeDeviceList(devices)
  optval.set(bytes, 0)
  if (optlen !== undefined) optlen.value = bytes.length
  return [0, 0]
}

async function iasQuery (stack: IrdaStack, optval: Uint8Array, room: number, optlen: IntRef | undefined): Promise<[number, number]> {
  if (room < IAS_QUERY_SIZE) return [SOCKET_ERROR, WSAEFAULT]
  const device = addressFromDeviceId(optval.subarray(0, 4))
  // Names no IAS can hold (unterminated in their field, empty, over 60, not ASCII): getsockopt's
  // "invalid argument", WSAEINVAL, before anything goes on the air.
  const className = iasName(optval, 4, IAS_MAX_CLASSNAME)
  const attribName = iasName(optval, 68, IAS_MAX_ATTRIBNAME)
  if (className === undefined || attribName === undefined) return [SOCKET_ERROR, WSAEINVAL]
  let answer: IasAttribute
  try {
    const r = await stack.iasQuery(device, className, attribName)
    answer = r.returnCode === 1 ? { type: IAS_ATTRIB_NO_CLASS }
      : r.returnCode !== 0 || r.entries.length === 0 ? { type: IAS_ATTRIB_NO_ATTRIB }
        : fromIasValue(r.entries[0].value)
  } catch (e) {
    return [SOCKET_ERROR, stackFailure(e, e instanceof IasQueryError ? connectFailure(e.kind) : undefined)]
  }
  writeIasQueryResult(optval, answer)
  if (optlen !== undefined) optlen.value = IAS_QUERY_SIZE
  return [0, 0]
}

/** The error for changing a mode option in this state, or 0 when it may change. */
function modeLocked (sock: Sock): number {
  switch (sock.state) {
    case 'open': return 0
    case 'connecting': case 'connected': return WSAEISCONN
    default: return WSAEINVAL
  }
}

export type GetSockOpt = ((s: number, level: number, optname: typeof IRLMP_ENUMDEVICES | typeof IRLMP_IAS_QUERY, optval: Uint8Array, optlen?: IntRef) => Promise<number>)
  & ((s: number, level: number, optname: number, optval: Uint8Array, optlen?: IntRef) => number | Promise<number>)
export type SetSockOpt = (s: number, level: number, optname: number, optval: Uint8Array, optlen?: number) => number

export function makeGetsockopt (ctx: SockContext): GetSockOpt {
  const { stack, lookup, fail, ok, settle } = ctx
  return ((s: number, level: unknown, optname: unknown, optval: unknown, optlen?: unknown): number | Promise<number> => {
    // optval must be a buffer and optlen, when given, an in/out length that can take the result.
    const room = roomOf(optval, optlen)
    const ref = optlen === undefined || !canWrite(optlen) ? undefined : optlen
    const badArgs = room === undefined || (optlen !== undefined && ref === undefined)
    if (level === SOL_IRLMP && (optname === IRLMP_ENUMDEVICES || optname === IRLMP_IAS_QUERY)) {
      return settle(async () => {
        const sock = lookup(s)
        if (typeof sock === 'number') return [SOCKET_ERROR, sock]
        if (badArgs || !(optval instanceof Uint8Array)) return [SOCKET_ERROR, WSAEFAULT]
        return optname === IRLMP_ENUMDEVICES ? await enumDevices(stack, optval, room, ref) : await iasQuery(stack, optval, room, ref)
      })
    }
    const sock = lookup(s)
    if (typeof sock === 'number') return fail(sock)
    if (badArgs || !(optval instanceof Uint8Array)) return fail(WSAEFAULT)
    if (!isInt(optname)) return fail(level === SOL_IRLMP || level === SOL_SOCKET ? WSAENOPROTOOPT : WSAEINVAL)
    const dv = dataView(optval)
    const dword = (value: number): number => {
      if (room < DWORD) return fail(WSAEFAULT)
      dv.setUint32(0, value, true)
      if (ref !== undefined) ref.value = DWORD
      return ok()
    }
    if (level === SOL_IRLMP) {
      switch (optname) {
        case IRLMP_SEND_PDU_LEN:
          if (room < DWORD) return fail(WSAEFAULT)
          if (sock.state !== 'connected' || sock.chan === undefined) return fail(WSAENOTCONN)
          return dword(sock.chan.pduLen)
        case IRLMP_9WIRE_MODE: return dword(sock.nineWire ? 1 : 0)
        case IRLMP_EXCLUSIVE_MODE: return dword(sock.exclusive ? 1 : 0)
        default: return fail(WSAENOPROTOOPT) // IRLMP_IRLPT_MODE is set-only (af_irda.h); the 98/Me and CE-only options are not offered
      }
    }
    if (level === SOL_SOCKET) {
      const name = optname >>> 0
      if (name !== SO_LINGER && name !== SO_DONTLINGER) return fail(WSAENOPROTOOPT)
      if (room < 4) return fail(WSAEFAULT)
      if (name === SO_LINGER) { dv.setUint16(0, sock.linger.onoff, true); dv.setUint16(2, sock.linger.time, true) } else dv.setInt32(0, sock.linger.onoff === 0 ? 1 : 0, true)
      if (ref !== undefined) ref.value = 4
      return ok()
    }
    return fail(WSAEINVAL)
  }) as GetSockOpt
}

export function makeSetsockopt (ctx: SockContext): SetSockOpt {
  const { stack, lookup, fail, ok } = ctx
  return (s: number, level: unknown, optname: unknown, optval: unknown, optlen?: unknown): number => {
    const sock = lookup(s)
    if (typeof sock === 'number') return fail(sock)
    // optval must be a buffer; optlen (an int in C) an integer length inside it.
    if (!(optval instanceof Uint8Array)) return fail(WSAEFAULT)
    const room = optlen === undefined ? optval.length : isInt(optlen) && optlen >= 0 && optlen <= optval.length ? optlen : undefined
    if (room === undefined) return fail(WSAEFAULT)
    if (!isInt(optname)) return fail(level === SOL_IRLMP || level === SOL_SOCKET ? WSAENOPROTOOPT : WSAEINVAL)
    const dv = dataView(optval)
    /** A DWORD boolean mode option: checks length and state, then stores it with `apply`. */
    const mode = (apply: (on: boolean) => number | undefined): number => {
      if (room < DWORD) return fail(WSAEFAULT)
      const locked = modeLocked(sock)
      if (locked !== 0) return fail(locked)
      const err = apply(dv.getUint32(0, true) !== 0)
      return err === undefined ? ok() : fail(err)
    }
    if (level === SOL_IRLMP) {
      switch (optname) {
        case IRLMP_IAS_SET: {
          if (room < IAS_SET_SIZE) return fail(WSAEFAULT)
          let value: IasValue | undefined
          let set
          try { set = decodeIasSet(optval); value = toIasValue(set.attrib) } catch (e) { if (e instanceof StructError) return fail(WSAEINVAL); throw e }
          if (value === undefined || set.className === '' || set.attribName === '') return fail(WSAEINVAL)
          try { stack.ias.set(set.className, set.attribName, value) } catch (e) { if (e instanceof IrdaError) return fail(WSAEINVAL); throw e }
          return ok()
        }
        // 9-wire framing needs TinyTP, which IrLPT mode leaves out: the two exclude each other.
        case IRLMP_IRLPT_MODE: return mode(on => { if (on && sock.nineWire) return WSAEINVAL; sock.irlpt = on; return undefined })
        case IRLMP_9WIRE_MODE: return mode(on => { if (on && sock.irlpt) return WSAEINVAL; sock.nineWire = on; return undefined })
        case IRLMP_EXCLUSIVE_MODE: return mode(on => { sock.exclusive = on; return undefined })
        default: return fail(WSAENOPROTOOPT)
      }
    }
    if (level === SOL_SOCKET) {
      const name = optname >>> 0
      if (name !== SO_LINGER && name !== SO_DONTLINGER) return fail(WSAENOPROTOOPT)
      if (room < 4) return fail(WSAEFAULT)
      if (name === SO_LINGER) sock.linger = { onoff: dv.getUint16(0, true), time: dv.getUint16(2, true) }
      else sock.linger = { onoff: dv.getInt32(0, true) !== 0 ? 0 : 1, time: sock.linger.time }
      return ok()
    }
    return fail(WSAEINVAL)
  }
}
