/*!
 * Wire formats of the USB IrDA Bridge class (USB IrDA Bridge Device Definition 1.0; Linux
 * include/linux/usb/irda.h and drivers/net/irda/irda-usb.c; NetBSD uirda.c): the 12-byte class
 * descriptor (type 0x21), the 1-byte header in front of every bulk transfer, and the 3-byte
 * header of SigmaTel STIr421x. Pure: bytes in, values out; bad bytes give a `WireError` value.
 */
import { fail, ok, type Decoded } from '@irdakit/core'

export const CLASS_DESCRIPTOR_TYPE = 0x21
export const CLASS_DESCRIPTOR_LENGTH = 12
/** Class request 6, Get Class Specific Descriptor (bmRequestType 0xA1, wIndex = interface). */
export const REQ_GET_CLASS_DESC = 6

/** wBaudRate bit n means this speed. */
export const BRIDGE_SPEEDS = [2400, 9600, 19200, 38400, 57600, 115200, 576000, 1152000, 4000000] as const
/** bmDataSize bit n means this many bytes per frame. */
export const BRIDGE_DATA_SIZES = [64, 128, 256, 512, 1024, 2048] as const
/** bmMinTurnaroundTime bit n means this many microseconds. */
export const BRIDGE_MTT_US = [10000, 5000, 1000, 500, 100, 50, 10, 0] as const
/** bmAdditionalBOFs bit n means this many BOFs (at 115200). */
export const BRIDGE_XBOFS = [48, 24, 12, 6, 3, 2, 1, 0] as const

/** The class descriptor, decoded. The `bm*` bit fields are kept as they are: they are IrLAP QoS bits. */
export interface ClassDescriptor {
  bcdSpecRevision: number
  bmDataSize: number
  bmWindowSize: number
  bmMinTurnaroundTime: number
  wBaudRate: number
  bmAdditionalBOFs: number
  bIrdaRateSniff: number
  bMaxUnicastList: number
}

export function parseClassDescriptor (b: Uint8Array): Decoded<ClassDescriptor> {
  if (b.length < CLASS_DESCRIPTOR_LENGTH) return fail(`class descriptor: ${b.length} bytes, need 12`)
  if (b[0] !== CLASS_DESCRIPTOR_LENGTH || b[1] !== CLASS_DESCRIPTOR_TYPE) return fail(`class descriptor: bLength ${b[0]}, type 0x${b[1].toString(16)}; want 12, 0x21`)
  const d: ClassDescriptor = {
    bcdSpecRevision: b[2] | b[3] << 8,
    bmDataSize: b[4],
    bmWindowSize: b[5],
    bmMinTurnaroundTime: b[6],
    wBaudRate: b[7] | b[8] << 8,
    bmAdditionalBOFs: b[9],
    bIrdaRateSniff: b[10],
    bMaxUnicastList: b[11]
  }
  if ((d.wBaudRate & 0x1FF) === 0) return fail('class descriptor: no speed in wBaudRate')
  return ok(d)
}

export function emitClassDescriptor (d: ClassDescriptor): Uint8Array {
  return Uint8Array.of(CLASS_DESCRIPTOR_LENGTH, CLASS_DESCRIPTOR_TYPE, d.bcdSpecRevision & 0xFF, d.bcdSpecRevision >> 8,
    d.bmDataSize, d.bmWindowSize, d.bmMinTurnaroundTime, d.wBaudRate & 0xFF, d.wBaudRate >> 8, d.bmAdditionalBOFs, d.bIrdaRateSniff, d.bMaxUnicastList)
}

/** The speeds a descriptor offers, ascending. */
export const descriptorSpeeds = (d: ClassDescriptor): number[] => BRIDGE_SPEEDS.filter((_, i) => (d.wBaudRate >> i & 1) === 1)
/** The largest data size a descriptor allows. */
export const descriptorDataSize = (d: ClassDescriptor): number => {
  let size = 64
  BRIDGE_DATA_SIZES.forEach((s, i) => { if ((d.bmDataSize >> i & 1) === 1) size = s })
  return size
}
/** The largest window (1..7). */
export const descriptorWindow = (d: ClassDescriptor): number => {
  let w = 1
  for (let n = 1; n <= 7; n++) if ((d.bmWindowSize >> (n - 1) & 1) === 1) w = n
  return w
}
/** The device's own minimum turnaround need in ms: the smallest time it lists. */
export const descriptorMinTurnaroundMs = (d: ClassDescriptor): number => {
  let us = 10000
  BRIDGE_MTT_US.forEach((t, i) => { if ((d.bmMinTurnaroundTime >> i & 1) === 1 && t < us) us = t })
  return us / 1000
}

// ---- the 1-byte header ---------------------------------------------------------------------

/** Speed nibble codes: index = code. 0 = no change. */
const SPEED_BY_CODE = [0, 2400, 9600, 19200, 38400, 57600, 115200, 576000, 1152000, 4000000] as const
/** XBOF nibble codes (high nibble): index = code. 0 = no change. */
const XBOFS_BY_CODE = [-1, 48, 24, 12, 6, 3, 2, 1, 0] as const

export function speedCode (bps: number): number {
  const i = SPEED_BY_CODE.indexOf(bps as typeof SPEED_BY_CODE[number])
  if (i <= 0) throw new RangeError(`the bridge header has no code for ${bps} bit/s`)
  return i
}

/** The XBOF count the header can say that is at least `n` (more BOFs never hurt; 48 at most). */
export function xbofsAtLeast (n: number): number {
  let best = 48
  for (const c of XBOFS_BY_CODE) if (c >= n && c < best) best = c
  return best
}

export function xbofsCode (n: number): number {
  const i = XBOFS_BY_CODE.indexOf(n as typeof XBOFS_BY_CODE[number])
  if (i <= 0) throw new RangeError(`the bridge header has no code for ${n} XBOFs`)
  return i
}

export interface OutHeader {
  /** New speed after this transfer's frame (undefined: no change). */
  speed?: number | undefined
  /** New XBOF count (undefined: no change). */
  xbofs?: number | undefined
}

export function encodeHeader (h: OutHeader): number {
  return (h.xbofs === undefined ? 0 : xbofsCode(h.xbofs) << 4) | (h.speed === undefined ? 0 : speedCode(h.speed))
}

export function decodeHeader (b: number): Decoded<OutHeader> {
  const s = b & 0x0F
  const x = b >> 4
  if (s >= SPEED_BY_CODE.length) return fail(`header 0x${b.toString(16)}: unknown speed code ${s}`)
  if (x >= XBOFS_BY_CODE.length) return fail(`header 0x${b.toString(16)}: unknown XBOF code ${x}`)
  return ok({ speed: s === 0 ? undefined : SPEED_BY_CODE[s], xbofs: x === 0 ? undefined : XBOFS_BY_CODE[x] })
}

/** Inbound header: bit 7 = media busy, low nibble = the current speed code. */
export const encodeInboundHeader = (busy: boolean, bps: number): number => (busy ? 0x80 : 0) | speedCode(bps)
export const inboundBusy = (b: number): boolean => (b & 0x80) !== 0

// ---- STIr421x ------------------------------------------------------------------------------

/** Turnaround code of STIr421x header byte 2: 0, <=10, <=50, <=100, <=500, <=1000, <=5000 us, more. */
export function turnaroundCode (ms: number): number {
  const us = ms * 1000
  if (us <= 0) return 0
  const limits = [10, 50, 100, 500, 1000, 5000]
  const i = limits.findIndex(l => us <= l)
  return i < 0 ? 7 : i + 1
}

/**
 * One STIr421x bulk-OUT transfer: header byte 0 always carries speed and XBOFs; byte 1 = 1 with
 * a pad byte appended when the transfer would be a multiple of 128 but not of 512 bytes (a
 * length the chip's USB engine mishandles); byte 2 = turnaround code.
 */
export function encodeStirTransfer (frame: Uint8Array, speed: number, xbofs: number, mttMs: number): Uint8Array {
  const len = 3 + frame.length
  const pad = len % 128 === 0 && len % 512 !== 0
  const out = new Uint8Array(len + (pad ? 1 : 0))
  out[0] = encodeHeader({ speed, xbofs })
  out[1] = pad ? 1 : 0
  out[2] = turnaroundCode(mttMs)
  out.set(frame, 3)
  return out
}

/** The frame inside a STIr421x transfer (the pad byte dropped), or a WireError. */
export function decodeStirTransfer (t: Uint8Array): Decoded<{ header: OutHeader, frame: Uint8Array, mttCode: number }> {
  if (t.length < 3) return fail(`STIr421x transfer of ${t.length} bytes: no header`)
  const h = decodeHeader(t[0])
  if (!h.ok) return h
  if (t[1] > 1) return fail(`STIr421x pad flag ${t[1]}`)
  if (t[2] > 7) return fail(`STIr421x turnaround code ${t[2]}`)
  const end = t.length - t[1]
  if (end < 3) return fail('STIr421x pad flag without a pad byte')
  return ok({ header: h.value, frame: t.subarray(3, end), mttCode: t[2] })
}
