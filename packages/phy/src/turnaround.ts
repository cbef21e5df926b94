/*!
 * IrLAP per-speed tables (IrLAP 1.1 section 6.6, negotiation parameters), kept as data.
 */
import { LocalProtocolError } from '@irdakit/core'
import { speedInfo } from './speed.js'

/**
 * Additional BOFs per QoS bit (PI 0x85), as the table gives them for 115200 b/s:
 * bit0 48, bit1 24, bit2 12, bit3 5, bit4 3, bit5 2, bit6 1, bit7 0.
 */
export const ADDITIONAL_BOFS_AT_115200: readonly number[] = Object.freeze([48, 24, 12, 5, 3, 2, 1, 0])

/**
 * Minimum turnaround time per QoS bit (PI 0x86), in ms:
 * bit0 10, bit1 5, bit2 1, bit3 0.5, bit4 0.1, bit5 0.05, bit6 0.01, bit7 0.
 */
export const MIN_TURNAROUND_MS: readonly number[] = Object.freeze([10, 5, 1, 0.5, 0.1, 0.05, 0.01, 0])

function checkBit (bit: number): void {
  if (!Number.isInteger(bit) || bit < 0 || bit > 7) {
    throw new LocalProtocolError(`QoS bit index must be 0..7, got ${bit}`)
  }
}

/**
 * Additional BOFs the negotiated QoS bit asks for at `bps` (IrLAP 1.1 section 6.6, PI 0x85).
 * The table counts BOFs at 115200 b/s; a slower SIR link sends proportionally fewer, rounded
 * down (the count at 115200 times bps / 115200: 48 at 115200 is 24 at 57600 and 4 at 9600;
 * Microsoft's IrDA stack divides the same way). MIR and FIR frames start with flags or a
 * preamble instead, so the count there is 0.
 */
export function additionalBofs (bit: number, bps: number): number {
  checkBit(bit)
  if (speedInfo(bps).modulation !== 'SIR') return 0
  return Math.floor((ADDITIONAL_BOFS_AT_115200[bit] * bps) / 115200)
}

/** The minimum turnaround time (ms) a QoS bit index of PI 0x86 stands for. */
export function minTurnaroundMs (bit: number): number {
  checkBit(bit)
  return MIN_TURNAROUND_MS[bit]
}

/**
 * How many XBOFs (10 bit times each) fill at least `ms` at the SIR speed `bps`: a station uses
 * them before its first frame after a turnaround so the peer's minimum turnaround time passes
 * (IrLAP 1.1 section 6.6, PI 0x86). Rounded up, so the gap is never shorter than asked; Linux
 * rounds down (57 XBOFs for 5 ms at 115200 where we send 58). Throws for MIR/FIR speeds, where
 * the sender waits instead of filling.
 */
export function xbofsForDelay (ms: number, bps: number): number {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new LocalProtocolError(`delay must be a finite ms >= 0, got ${ms}`)
  const s = speedInfo(bps)
  if (s.modulation !== 'SIR') throw new LocalProtocolError(`XBOF fill exists only at SIR speeds, not ${bps} b/s`)
  // Tolerate float noise (10 ms * 9600 b/s is 9.6 bytes, 1 ms * 10000 would be exactly 1).
  return Math.ceil((ms * bps) / 10000 - 1e-9)
}
