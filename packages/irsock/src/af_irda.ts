/*!
 * @irdakit/irsock/af_irda: the constants and structures of af_irda.h (the NT/98/CE 5 header),
 * with byte-exact encoders and decoders. Layouts use natural alignment and a 32-bit u_long,
 * little-endian, as on every Windows IrDA platform:
 *
 *   SOCKADDR_IRDA     u16 family@0, u8 irdaDeviceID[4]@2, char irdaServiceName[25]@6         32 bytes
 *   IRDA_DEVICE_INFO  u8 id[4]@0, char name[22]@4, u8 hints1@26, hints2@27, charset@28    29 bytes
 *   DEVICELIST        u32 numDevice@0, IRDA_DEVICE_INFO Device[]@4 (stride 29)
 *   IAS_SET           char class[64]@0, char attrib[256]@64, u32 type@320, union@324     1352 bytes
 *   IAS_QUERY         u8 id[4]@0, class[64]@4, attrib[256]@68, u32 type@324, union@328  1356 bytes
 *
 * irdaDeviceID is 4 raw bytes; irdakit reads them as the little-endian 32-bit IrLAP device
 * address (what Windows on x86 and libdivecomputer do), see {@link deviceIdFromAddress}.
 */

/** Windows / CE 4+ address family. */
export const AF_IRDA = 26
/** Address family of Windows CE 1.x-3.x (Winsock 1.1). */
export const WCE_AF_IRDA = 22
export const PF_IRDA = AF_IRDA
export const IRDA_PROTO_SOCK_STREAM = 1
export const SOL_IRLMP = 0xFF

// SOL_IRLMP options
export const IRLMP_ENUMDEVICES = 0x10
export const IRLMP_IAS_SET = 0x11
export const IRLMP_IAS_QUERY = 0x12
export const IRLMP_SEND_PDU_LEN = 0x13
export const IRLMP_EXCLUSIVE_MODE = 0x14
export const IRLMP_IRLPT_MODE = 0x15
export const IRLMP_9WIRE_MODE = 0x16
export const IRLMP_TINYTP_MODE = 0x17
export const IRLMP_PARAMETERS = 0x18
export const IRLMP_DISCOVERY_MODE = 0x19
export const IRLMP_SHARP_MODE = 0x20
export const IRLMP_LAZY_DISCOVERY = 0x30
/** WSAIoctl code, `_IOR('t',127,u_long)`. */
export const SIO_LAZY_DISCOVERY = 0x4004747F

// IAS attribute types
export const IAS_ATTRIB_NO_CLASS = 0x10
export const IAS_ATTRIB_NO_ATTRIB = 0x00
export const IAS_ATTRIB_INT = 0x01
export const IAS_ATTRIB_OCTETSEQ = 0x02
export const IAS_ATTRIB_STR = 0x03

// IAS limits
export const IAS_MAX_USER_STRING = 256
export const IAS_MAX_OCTET_STRING = 1024
export const IAS_MAX_CLASSNAME = 64
export const IAS_MAX_ATTRIBNAME = 256
/** CE 5 header. */
export const IRDA_MAX_SERVICE_NAME = 25
export const IRDA_MAX_DEVICE_NAME = 22

// Hint bits
export const LM_HB_Extension = 0x80
export const LM_HB1_PnP = 0x01
export const LM_HB1_PDA_Palmtop = 0x02
export const LM_HB1_Computer = 0x04
export const LM_HB1_Printer = 0x08
export const LM_HB1_Modem = 0x10
export const LM_HB1_Fax = 0x20
export const LM_HB1_LANAccess = 0x40
export const LM_HB2_Telephony = 0x01
export const LM_HB2_FileServer = 0x02

// Character sets
export const LmCharSetASCII = 0
export const LmCharSetISO_8859_1 = 1
export const LmCharSetISO_8859_2 = 2
export const LmCharSetISO_8859_3 = 3
export const LmCharSetISO_8859_4 = 4
export const LmCharSetISO_8859_5 = 5
export const LmCharSetISO_8859_6 = 6
export const LmCharSetISO_8859_7 = 7
export const LmCharSetISO_8859_8 = 8
export const LmCharSetISO_8859_9 = 9
export const LmCharSetUNICODE = 0xFF

// Structure sizes
export const SOCKADDR_IRDA_SIZE = 32
export const IRDA_DEVICE_INFO_SIZE = 29
export const DEVICELIST_HEADER_SIZE = 4
export const IAS_SET_SIZE = 1352
export const IAS_QUERY_SIZE = 1356

/** Thrown by the decoders for a buffer too short for the structure (Winsock's WSAEFAULT). */
export class StructError extends Error {
  static override name = 'StructError'
  constructor (message: string) { super(message); this.name = 'StructError' }
}

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength)

function need (b: Uint8Array, n: number, what: string): void {
  if (b.length < n) throw new StructError(`${what} needs ${n} bytes, got ${b.length}`)
}

/** Writes `text` as single bytes (Latin-1), NUL-terminated when there is room, into `field` bytes at `off`. */
function putChars (b: Uint8Array, off: number, field: number, text: string): void {
  b.fill(0, off, off + field)
  for (let i = 0; i < text.length && i < field; i++) b[off + i] = text.charCodeAt(i) & 0xFF
}

/** Reads a char[] field up to its first NUL (or its end). */
function getChars (b: Uint8Array, off: number, field: number): string {
  let s = ''
  for (let i = 0; i < field; i++) {
    const c = b[off + i]
    if (c === 0) break
    s += String.fromCharCode(c)
  }
  return s
}

/** Whether a char[] field holds a NUL terminator. */
function terminated (b: Uint8Array, off: number, field: number): boolean {
  for (let i = 0; i < field; i++) if (b[off + i] === 0) return true
  return false
}

/** The 4 irdaDeviceID bytes of a 32-bit IrLAP device address (little-endian). */
export function deviceIdFromAddress (address: number): Uint8Array {
  const b = new Uint8Array(4)
  view(b).setUint32(0, address >>> 0, true)
  return b
}

/** The 32-bit IrLAP device address of 4 irdaDeviceID bytes (little-endian). */
export function addressFromDeviceId (id: Uint8Array): number {
  need(id, 4, 'irdaDeviceID')
  return view(id).getUint32(0, true)
}

// ---- SOCKADDR_IRDA -------------------------------------------------------------------------

export interface SockaddrIrda {
  /** irdaAddressFamily; AF_IRDA unless you want to test the error paths. */
  family: number
  /** 4 raw bytes. */
  deviceId: Uint8Array
  /** Up to 24 characters plus NUL; "LSAP-SELxxx" names a fixed selector. */
  serviceName: string
  /** Decoded only: whether irdaServiceName held a NUL (Windows CE fails a connect without one). */
  terminated?: boolean
}

export function encodeSockaddrIrda (a: SockaddrIrda): Uint8Array {
  const b = new Uint8Array(SOCKADDR_IRDA_SIZE)
  view(b).setUint16(0, a.family, true)
  b.set(a.deviceId.subarray(0, 4), 2)
  putChars(b, 6, IRDA_MAX_SERVICE_NAME, a.serviceName)
  return b
}

export function decodeSockaddrIrda (b: Uint8Array): SockaddrIrda {
  need(b, SOCKADDR_IRDA_SIZE, 'SOCKADDR_IRDA')
  return {
    family: view(b).getUint16(0, true),
    deviceId: b.slice(2, 6),
    serviceName: getChars(b, 6, IRDA_MAX_SERVICE_NAME),
    terminated: terminated(b, 6, IRDA_MAX_SERVICE_NAME),
  }
}

// ---- DEVICELIST / IRDA_DEVICE_INFO ----------------------------------------------------------

export interface IrdaDeviceInfo {
  deviceId: Uint8Array
  /** irdaDeviceName, up to 22 bytes (NUL-terminated when shorter). */
  deviceName: string
  hints1: number
  hints2: number
  charSet: number
}

/** Bytes a DEVICELIST with room for `n` devices takes: sizeof(DEVICELIST) - sizeof(IRDA_DEVICE_INFO) + n * sizeof(IRDA_DEVICE_INFO). */
export const deviceListSize = (n: number): number => DEVICELIST_HEADER_SIZE + n * IRDA_DEVICE_INFO_SIZE

export function encodeDeviceList (devices: readonly IrdaDeviceInfo[]): Uint8Array {
  const b = new Uint8Array(deviceListSize(devices.length))
  view(b).setUint32(0, devices.length, true)
  devices.forEach((d, i) => {
    const off = DEVICELIST_HEADER_SIZE + i * IRDA_DEVICE_INFO_SIZE
    b.set(d.deviceId.subarray(0, 4), off)
    putChars(b, off + 4, IRDA_MAX_DEVICE_NAME, d.deviceName)
    b[off + 26] = d.hints1
    b[off + 27] = d.hints2
    b[off + 28] = d.charSet
  })
  return b
}

export function decodeDeviceList (b: Uint8Array): IrdaDeviceInfo[] {
  need(b, DEVICELIST_HEADER_SIZE, 'DEVICELIST')
  const n = view(b).getUint32(0, true)
  need(b, deviceListSize(n), `DEVICELIST of ${n} devices`)
  const out: IrdaDeviceInfo[] = []
  for (let i = 0; i < n; i++) {
    const off = DEVICELIST_HEADER_SIZE + i * IRDA_DEVICE_INFO_SIZE
    out.push({
      deviceId: b.slice(off, off + 4),
      deviceName: getChars(b, off + 4, IRDA_MAX_DEVICE_NAME),
      hints1: b[off + 26],
      hints2: b[off + 27],
      charSet: b[off + 28],
    })
  }
  return out
}

// ---- IAS_SET / IAS_QUERY ---------------------------------------------------------------------

/** An attribute value as af_irda.h carries it. A query also answers "no such class / attribute". */
export type IasAttribute =
  | { type: typeof IAS_ATTRIB_INT, value: number }
  | { type: typeof IAS_ATTRIB_OCTETSEQ, value: Uint8Array }
  | { type: typeof IAS_ATTRIB_STR, charSet: number, value: Uint8Array }
  | { type: typeof IAS_ATTRIB_NO_CLASS }
  | { type: typeof IAS_ATTRIB_NO_ATTRIB }

export interface IasSet {
  className: string
  attribName: string
  attrib: IasAttribute
}

export interface IasQuery extends IasSet {
  deviceId: Uint8Array
}

/** Writes the union at `off`; `wide` is IAS_QUERY's layout (u32 lengths and charset). */
function putAttrib (b: Uint8Array, typeOff: number, a: IasAttribute, wide: boolean): void {
  const v = view(b)
  const off = typeOff + 4
  v.setUint32(typeOff, a.type, true)
  switch (a.type) {
    case IAS_ATTRIB_INT: v.setInt32(off, a.value, true); break
    case IAS_ATTRIB_OCTETSEQ: {
      const len = Math.min(a.value.length, IAS_MAX_OCTET_STRING)
      if (wide) v.setUint32(off, len, true); else v.setUint16(off, len, true)
      b.set(a.value.subarray(0, len), off + (wide ? 4 : 2))
      break
    }
    case IAS_ATTRIB_STR: {
      const len = Math.min(a.value.length, IAS_MAX_USER_STRING)
      if (wide) { v.setUint32(off, len, true); v.setUint32(off + 4, a.charSet, true) } else { b[off] = Math.min(len, 255); b[off + 1] = a.charSet }
      b.set(a.value.subarray(0, wide ? len : Math.min(len, 255)), off + (wide ? 8 : 2))
      break
    }
    default: break
  }
}

function getAttrib (b: Uint8Array, typeOff: number, wide: boolean): IasAttribute {
  const v = view(b)
  const off = typeOff + 4
  const type = v.getUint32(typeOff, true)
  switch (type) {
    case IAS_ATTRIB_INT: return { type, value: v.getInt32(off, true) }
    case IAS_ATTRIB_OCTETSEQ: {
      const len = Math.min(wide ? v.getUint32(off, true) : v.getUint16(off, true), IAS_MAX_OCTET_STRING)
      const start = off + (wide ? 4 : 2)
      return { type, value: b.slice(start, start + len) }
    }
    case IAS_ATTRIB_STR: {
      const len = Math.min(wide ? v.getUint32(off, true) : b[off], IAS_MAX_USER_STRING)
      const charSet = wide ? v.getUint32(off + 4, true) : b[off + 1]
      const start = off + (wide ? 8 : 2)
      return { type, charSet, value: b.slice(start, start + len) }
    }
    case IAS_ATTRIB_NO_CLASS: return { type }
    case IAS_ATTRIB_NO_ATTRIB: return { type }
    default: throw new StructError(`unknown irdaAttribType ${type}`)
  }
}

export function encodeIasSet (s: IasSet): Uint8Array {
  const b = new Uint8Array(IAS_SET_SIZE)
  putChars(b, 0, IAS_MAX_CLASSNAME, s.className)
  putChars(b, 64, IAS_MAX_ATTRIBNAME, s.attribName)
  putAttrib(b, 320, s.attrib, false)
  return b
}

export function decodeIasSet (b: Uint8Array): IasSet {
  need(b, IAS_SET_SIZE, 'IAS_SET')
  return { className: getChars(b, 0, IAS_MAX_CLASSNAME), attribName: getChars(b, 64, IAS_MAX_ATTRIBNAME), attrib: getAttrib(b, 320, false) }
}

export function encodeIasQuery (q: IasQuery): Uint8Array {
  const b = new Uint8Array(IAS_QUERY_SIZE)
  b.set(q.deviceId.subarray(0, 4), 0)
  putChars(b, 4, IAS_MAX_CLASSNAME, q.className)
  putChars(b, 68, IAS_MAX_ATTRIBNAME, q.attribName)
  putAttrib(b, 324, q.attrib, true)
  return b
}

export function decodeIasQuery (b: Uint8Array): IasQuery {
  need(b, IAS_QUERY_SIZE, 'IAS_QUERY')
  return {
    deviceId: b.slice(0, 4),
    className: getChars(b, 4, IAS_MAX_CLASSNAME),
    attribName: getChars(b, 68, IAS_MAX_ATTRIBNAME),
    attrib: getAttrib(b, 324, true),
  }
}

/** Writes a query's answer (type and union) into an IAS_QUERY buffer in place, as getsockopt does. */
export function writeIasQueryResult (b: Uint8Array, a: IasAttribute): void {
  need(b, IAS_QUERY_SIZE, 'IAS_QUERY')
  b.fill(0, 324, IAS_QUERY_SIZE)
  putAttrib(b, 324, a, true)
}

/** "LSAP-SELxxx" (xxx decimal 1..127) -> the selector; undefined for any other name. */
export function parseLsapSelName (name: string): number | undefined {
  const m = /^LSAP-SEL(\d{1,3})$/.exec(name)
  if (m === null) return undefined
  const n = Number(m[1])
  return n >= 1 && n <= 127 ? n : undefined
}
