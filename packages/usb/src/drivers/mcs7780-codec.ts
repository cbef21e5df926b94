/*!
 * MosChip MCS7780 wire formats (Linux drivers/net/irda/mcs7780.[ch]). Bulk OUT: a u16 LE length
 * that counts itself, then the SIR-wrapped frame (XBOFs, BOF, escaped A+C+I+FCS16, EOF), or at
 * MIR the frame + FCS-16, or at FIR the frame + FCS-32 (the chip adds flags, stuffing and
 * preamble). Bulk IN: at SIR the escaped frame + FCS without BOF/EOF, at MIR/FIR frame + FCS.
 * Registers go over vendor control requests: write 0x0E (wValue = value, wIndex = register),
 * read 0x0F (2 bytes LE).
 */
import { fail, ok, type Decoded } from '@irdakit/core'
import { appendFcs16, appendFcs32, BOF, EOF, sirWrap, XBOF } from '@irdakit/phy'

export const MCS_WRREQ = 0x0E
export const MCS_RDREQ = 0x0F

export const MCS_MODE_REG = 0
export const MCS_XCVR_REG = 2
export const MCS_MINRXPW_REG = 4
export const MCS_RESV_REG = 7

export const MCS_FIR = 0x0001
export const MCS_SIR16US = 0x0002
export const MCS_BBTG = 0x0004
export const MCS_ASK = 0x0008
export const MCS_SPEED_MASK = 0x00E0
export const MCS_PLLPWDN = 0x0100
export const MCS_DRIVER = 0x0200
export const MCS_DTD = 0x0400
export const MCS_SIPEN = 0x1000
export const MCS_RESET = 0x8000
export const MCS_XCVR_CONF = 0x0004
export const MCS_MODE0 = 0x0001
export const MCS_RXFAST = 0x0008
/** Register 7 bit 0: the transmitter is busy. */
export const MCS_IRINTX = 0x0001

/** Speeds in MODE bits 7-5 (code = index); 4 Mbit/s is the FIR bit instead. */
export const MCS_SIR_MIR_SPEEDS = [2400, 9600, 19200, 38400, 57600, 115200, 576000, 1152000] as const
export const MCS_SPEEDS = [...MCS_SIR_MIR_SPEEDS, 4000000]

/** MODE register bits for `bps` (speed field and FIR bit), to merge into the old value. */
export function modeForSpeed (old: number, bps: number): number {
  let v = old & ~(MCS_SPEED_MASK | MCS_FIR)
  if (bps === 4000000) return v | MCS_FIR
  const code = MCS_SIR_MIR_SPEEDS.indexOf(bps as typeof MCS_SIR_MIR_SPEEDS[number])
  if (code < 0) throw new RangeError(`the MCS7780 has no ${bps} bit/s`)
  v |= code << 5
  return v
}

/** The speed a MODE register value selects. */
export const speedOfMode = (mode: number): number => (mode & MCS_FIR) !== 0 ? 4000000 : MCS_SIR_MIR_SPEEDS[(mode & MCS_SPEED_MASK) >> 5]

const withLength = (body: Uint8Array): Uint8Array => {
  const out = new Uint8Array(body.length + 2)
  const len = out.length
  out[0] = len & 0xFF
  out[1] = len >> 8
  out.set(body, 2)
  return out
}

/** One bulk-OUT transfer for `frame` at `bps`. */
export function encodeMcsTransfer (frame: Uint8Array, bps: number, xbofs = 0): Uint8Array {
  if (bps <= 115200) return withLength(sirWrap(frame, { xbofs }))
  if (bps <= 1152000) return withLength(appendFcs16(frame))
  return withLength(appendFcs32(frame))
}

/** The body of a bulk-OUT transfer after checking its length prefix. */
export function decodeMcsTransfer (t: Uint8Array): Decoded<Uint8Array> {
  if (t.length < 3) return fail(`MCS7780 transfer of ${t.length} bytes`)
  const len = t[0] | t[1] << 8
  if (len !== t.length) return fail(`MCS7780 length prefix ${len} but ${t.length} bytes came`)
  return ok(t.subarray(2))
}

/** What the chip hands the host at SIR for a frame on air: the SIR body without XBOFs, BOF and EOF. */
export function mcsSirReceive (frame: Uint8Array): Uint8Array {
  const w = sirWrap(frame)
  let start = 0
  while (w[start] === XBOF) start++
  if (w[start] === BOF) start++
  const end = w[w.length - 1] === EOF ? w.length - 1 : w.length
  return w.slice(start, end)
}
