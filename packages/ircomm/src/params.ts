/*!
 * IrCOMM 1.0 parameters: PI/PL/PV tuples, both in the IAS `Parameters` attribute (service type,
 * port type, port name) and on the control channel of cooked connections (line settings and
 * the DTE/DCE lines). PI bit 7 marks a parameter "critical" (if you do not understand it, do not
 * connect); PL is the length of PV. Multi-byte values follow Linux's ircomm_param.c, the
 * implementation devices were tested against: the data rate is a big-endian u32, the XON/XOFF
 * and ENQ/ACK pairs carry their first character in the first byte.
 *
 * `decodeParams` never throws: a tuple that runs past the end, or a known PI with a length it
 * cannot have, ends decoding with an error message and the tuples read so far.
 */

/** Parameter identifiers. */
export const PI = {
  SERVICE_TYPE: 0x00,
  PORT_TYPE: 0x01,
  PORT_NAME: 0x02,
  /** The critical form of the port name: only clients that know the name should connect. */
  FIXED_PORT_NAME: 0x82,
  DATA_RATE: 0x10,
  DATA_FORMAT: 0x11,
  FLOW_CONTROL: 0x12,
  XON_XOFF: 0x13,
  ENQ_ACK: 0x14,
  LINE_STATUS: 0x15,
  BREAK: 0x16,
  DTE: 0x20,
  DCE: 0x21,
  POLL: 0x22,
} as const

/** Service type bits (PI 0x00), in the IAS Parameters (offered) and on the control channel (chosen). */
export const SERVICE = { RAW: 0x01, THREE_WIRE: 0x02, NINE_WIRE: 0x04, CENTRONICS: 0x08 } as const
export type ServiceName = '3-wire-raw' | '3-wire' | '9-wire' | 'centronics'
export const SERVICE_NAMES: Record<number, ServiceName> = { 0x01: '3-wire-raw', 0x02: '3-wire', 0x04: '9-wire', 0x08: 'centronics' }

/** Port type bits (PI 0x01). Linux sends 0 for a serial port; we send 1 and read 0 as serial. */
export const PORT_TYPE = { SERIAL: 0x01, PARALLEL: 0x02 } as const

/** Flow control bits (PI 0x12). */
export const FLOW = {
  XON_XOFF_IN: 0x01, XON_XOFF_OUT: 0x02, RTS_CTS_IN: 0x04, RTS_CTS_OUT: 0x08,
  DSR_DTR_IN: 0x10, DSR_DTR_OUT: 0x20, ENQ_ACK_IN: 0x40, ENQ_ACK_OUT: 0x80,
} as const

/** Line status bits (PI 0x15). */
export const LINE_STATUS = { OVERRUN: 0x02, PARITY: 0x04, FRAMING: 0x08 } as const

/** DTE line bits (PI 0x20): the deltas say which lines changed since the last report. */
export const DTE = { DELTA_DTR: 0x01, DELTA_RTS: 0x02, DTR: 0x04, RTS: 0x08 } as const

/** DCE line bits (PI 0x21). */
export const DCE = {
  DELTA_CTS: 0x01, DELTA_DSR: 0x02, DELTA_RI: 0x04, DELTA_CD: 0x08,
  CTS: 0x10, DSR: 0x20, RI: 0x40, CD: 0x80,
} as const

/** One parameter, decoded. Single-byte values keep every bit, so encode(decode(x)) is x. */
export type IrcommParam =
  | { type: 'service-type', value: number }
  | { type: 'port-type', value: number }
  | { type: 'port-name', name: string }
  | { type: 'fixed-port-name', name: string }
  | { type: 'data-rate', bps: number }
  | { type: 'data-format', value: number }
  | { type: 'flow-control', value: number }
  | { type: 'xon-xoff', xon: number, xoff: number }
  | { type: 'enq-ack', enq: number, ack: number }
  | { type: 'line-status', value: number }
  | { type: 'break', value: number }
  | { type: 'dte', value: number }
  | { type: 'dce', value: number }
  | { type: 'poll' }
  /** A PI we do not know: kept whole, with its critical bit, so it can be reported or passed on. */
  | { type: 'unknown', pi: number, value: Uint8Array }

const BYTE_PARAMS = {
  'service-type': PI.SERVICE_TYPE,
  'port-type': PI.PORT_TYPE,
  'data-format': PI.DATA_FORMAT,
  'flow-control': PI.FLOW_CONTROL,
  'line-status': PI.LINE_STATUS,
  break: PI.BREAK,
  dte: PI.DTE,
  dce: PI.DCE,
} as const
const BYTE_PI_TYPES = new Map<number, keyof typeof BYTE_PARAMS>(Object.entries(BYTE_PARAMS).map(([k, v]) => [v, k as keyof typeof BYTE_PARAMS]))

/** Longest PV a tuple can carry (PL is one byte). */
export const MAX_PV = 255

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, c => c.charCodeAt(0) & 0xFF)
const fromLatin1 = (b: Uint8Array): string => String.fromCharCode(...b)

function byteOf (v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xFF) throw new RangeError(`${what} must be a byte (0..255), got ${v}`)
  return v
}

/** The PV bytes of one parameter, and its PI. Throws RangeError for values that do not fit (a local mistake). */
function pvOf (p: IrcommParam): { pi: number, pv: Uint8Array } {
  switch (p.type) {
    case 'port-name':
    case 'fixed-port-name': {
      const pv = latin1(p.name)
      if (pv.length > MAX_PV) throw new RangeError(`port name longer than ${MAX_PV} bytes`)
      return { pi: p.type === 'port-name' ? PI.PORT_NAME : PI.FIXED_PORT_NAME, pv }
    }
    case 'data-rate': {
      if (!Number.isInteger(p.bps) || p.bps < 0 || p.bps > 0xFFFFFFFF) throw new RangeError(`data rate must be a u32, got ${p.bps}`)
      const pv = new Uint8Array(4)
      new DataView(pv.buffer).setUint32(0, p.bps, false)
      return { pi: PI.DATA_RATE, pv }
    }
    case 'xon-xoff': return { pi: PI.XON_XOFF, pv: Uint8Array.of(byteOf(p.xon, 'XON'), byteOf(p.xoff, 'XOFF')) }
    case 'enq-ack': return { pi: PI.ENQ_ACK, pv: Uint8Array.of(byteOf(p.enq, 'ENQ'), byteOf(p.ack, 'ACK')) }
    case 'poll': return { pi: PI.POLL, pv: new Uint8Array(0) }
    case 'unknown':
      if (p.value.length > MAX_PV) throw new RangeError(`parameter value longer than ${MAX_PV} bytes`)
      return { pi: byteOf(p.pi, 'PI'), pv: p.value }
    default: return { pi: BYTE_PARAMS[p.type], pv: Uint8Array.of(byteOf(p.value, p.type)) }
  }
}

/** Encodes parameters as consecutive PI PL PV tuples. */
export function encodeParams (params: readonly IrcommParam[]): Uint8Array {
  const parts = params.map(pvOf)
  const out = new Uint8Array(parts.reduce((n, t) => n + 2 + t.pv.length, 0))
  let off = 0
  for (const { pi, pv } of parts) {
    out[off] = pi
    out[off + 1] = pv.length
    out.set(pv, off + 2)
    off += 2 + pv.length
  }
  return out
}

/** Tuples read, and why reading stopped early (undefined when every byte was a good tuple). */
export interface DecodedParams { params: IrcommParam[], error?: string }

/** Decodes PI PL PV tuples. Never throws. */
export function decodeParams (bytes: Uint8Array): DecodedParams {
  const params: IrcommParam[] = []
  let off = 0
  while (off < bytes.length) {
    if (off + 2 > bytes.length) return { params, error: `parameter 0x${hex(bytes[off])} at offset ${off} has no length byte` }
    const pi = bytes[off]
    const pl = bytes[off + 1]
    if (off + 2 + pl > bytes.length) return { params, error: `parameter 0x${hex(pi)} at offset ${off} says ${pl} bytes, ${bytes.length - off - 2} left` }
    const pv = bytes.slice(off + 2, off + 2 + pl)
    const p = paramOf(pi, pv)
    if (typeof p === 'string') return { params, error: p }
    params.push(p)
    off += 2 + pl
  }
  return { params }
}

const hex = (n: number): string => n.toString(16).padStart(2, '0')

function paramOf (pi: number, pv: Uint8Array): IrcommParam | string {
  const want = (n: number): string | undefined => pv.length === n ? undefined : `parameter 0x${hex(pi)} must be ${n} byte${n === 1 ? '' : 's'}, got ${pv.length}`
  const byteType = BYTE_PI_TYPES.get(pi)
  if (byteType !== undefined) return want(1) ?? { type: byteType, value: pv[0] }
  switch (pi) {
    case PI.PORT_NAME: return { type: 'port-name', name: fromLatin1(pv) }
    case PI.FIXED_PORT_NAME: return { type: 'fixed-port-name', name: fromLatin1(pv) }
    case PI.DATA_RATE: return want(4) ?? { type: 'data-rate', bps: new DataView(pv.buffer, pv.byteOffset, 4).getUint32(0, false) }
    case PI.XON_XOFF: return want(2) ?? { type: 'xon-xoff', xon: pv[0], xoff: pv[1] }
    case PI.ENQ_ACK: return want(2) ?? { type: 'enq-ack', enq: pv[0], ack: pv[1] }
    case PI.POLL: return want(0) ?? { type: 'poll' }
    default: return { type: 'unknown', pi, value: pv }
  }
}

/** True for a PI with the critical bit (bit 7) set. */
export const isCritical = (pi: number): boolean => (pi & 0x80) !== 0

// ---- data format (PI 0x11) ----------------------------------------------------------------

export type Parity = 'none' | 'odd' | 'even' | 'mark' | 'space'
export interface DataFormat { wordLength: 5 | 6 | 7 | 8, stopBits: 1 | 2, parity: Parity }

const PARITIES: Parity[] = ['odd', 'even', 'mark', 'space']

/** Bits 1-0 word length 5..8, bit 2 two stop bits, bit 3 parity on, bits 5-4 odd/even/mark/space. */
export function encodeDataFormat (f: DataFormat): number {
  let v = (f.wordLength - 5) & 0x03
  if (f.stopBits === 2) v |= 0x04
  if (f.parity !== 'none') v |= 0x08 | (PARITIES.indexOf(f.parity) << 4)
  return v
}

export function decodeDataFormat (v: number): DataFormat {
  return {
    wordLength: (5 + (v & 0x03)) as DataFormat['wordLength'],
    stopBits: (v & 0x04) !== 0 ? 2 : 1,
    parity: (v & 0x08) !== 0 ? PARITIES[(v >> 4) & 0x03] : 'none',
  }
}

/** 8 data bits, no parity, one stop bit: 0x03, every IrCOMM implementation's default. */
export const FORMAT_8N1 = 0x03

// ---- lines --------------------------------------------------------------------------------

export interface DteLines { dtr: boolean, rts: boolean }
export interface DceLines { cts: boolean, dsr: boolean, ri: boolean, cd: boolean }

/** A DTE byte for `now`, with delta bits for the lines that differ from `before` (none without it). */
export function dteByte (now: DteLines, before?: DteLines): number {
  let v = (now.dtr ? DTE.DTR : 0) | (now.rts ? DTE.RTS : 0)
  if (before !== undefined && before.dtr !== now.dtr) v |= DTE.DELTA_DTR
  if (before !== undefined && before.rts !== now.rts) v |= DTE.DELTA_RTS
  return v
}

export const dteLines = (v: number): DteLines => ({ dtr: (v & DTE.DTR) !== 0, rts: (v & DTE.RTS) !== 0 })

/** A DCE byte for `now`, with delta bits for the lines that differ from `before` (none without it). */
export function dceByte (now: DceLines, before?: DceLines): number {
  let v = (now.cts ? DCE.CTS : 0) | (now.dsr ? DCE.DSR : 0) | (now.ri ? DCE.RI : 0) | (now.cd ? DCE.CD : 0)
  if (before !== undefined) {
    if (before.cts !== now.cts) v |= DCE.DELTA_CTS
    if (before.dsr !== now.dsr) v |= DCE.DELTA_DSR
    if (before.ri !== now.ri) v |= DCE.DELTA_RI
    if (before.cd !== now.cd) v |= DCE.DELTA_CD
  }
  return v
}

export const dceLines = (v: number): DceLines => ({ cts: (v & DCE.CTS) !== 0, dsr: (v & DCE.DSR) !== 0, ri: (v & DCE.RI) !== 0, cd: (v & DCE.CD) !== 0 })
