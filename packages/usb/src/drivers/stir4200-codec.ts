/*!
 * SigmaTel STIr4200 wire formats (Linux drivers/net/irda/stir4200.c). Bulk OUT: `55 AA`, a u16 LE
 * length of what follows, then the SIR-wrapped frame, or at 4 Mbit/s the host-built FIR frame:
 * 16 x 0x7F, 0x7E 0x7E, A+C+I and the FCS-32 (LSB first) with 0x7D/0x7E/0x7F escaped as
 * 0x7D, b ^ 0x20, then 0x7E 0x7E. Bulk IN carries the same raw streams without the header.
 * Registers: vendor request 3 writes one (wValue = value, wIndex = register), request 1 reads.
 */
import { fail, ok, type Decoded, type RxErrorReason } from '@irdakit/core'
import { appendFcs32, checkFcs32, MAX_LAP_FRAME, sirWrap } from '@irdakit/phy'

export const REQ_WRITE_SINGLE = 0x03
export const REQ_READ_REG = 0x01

export const REG_MODE = 1
export const REG_PDCLK = 2
export const REG_CTRL1 = 3
export const REG_CTRL2 = 4
export const REG_FIFOCTL = 5
export const REG_DPLL = 8

export const MODE_FIR = 0x80
export const MODE_SIR = 0x20
export const MODE_FASTRX = 0x08
export const MODE_FFRSTEN = 0x04
export const MODE_NRESET = 0x02
export const MODE_2400 = 0x01
export const CTRL1_SDMODE = 0x80
export const CTRL1_SRESET = 0x01
export const FIFOCTL_DIR = 0x10
export const FIFOCTL_EMPTY = 0x04

export const STIR_SPEEDS = [2400, 9600, 19200, 38400, 57600, 115200, 4000000]
/** PDCLK value per speed (Linux stir_modes). */
export const PDCLK: Record<number, number> = { 2400: 0xDF, 9600: 0x77, 19200: 0x3B, 38400: 0x1D, 57600: 0x13, 115200: 0x09, 4000000: 0x02 }

/** MODE register for `bps`. */
export const modeFor = (bps: number): number =>
  MODE_NRESET | MODE_FASTRX | (bps === 4000000 ? MODE_FIR | MODE_FFRSTEN : MODE_SIR) | (bps === 2400 ? MODE_2400 : 0)

/** The speed that MODE and PDCLK select, or undefined if they do not make one. */
export function speedOf (mode: number, pdclk: number): number | undefined {
  if ((mode & MODE_FIR) !== 0) return pdclk === PDCLK[4000000] ? 4000000 : undefined
  const s = STIR_SPEEDS.find(v => v !== 4000000 && PDCLK[v] === pdclk)
  if (s === undefined || (s === 2400) !== ((mode & MODE_2400) !== 0)) return undefined
  return s
}

const stuff = (out: number[], b: number): void => {
  if (b === 0x7D || b === 0x7E || b === 0x7F) out.push(0x7D, b ^ 0x20); else out.push(b)
}

/** The FIR stream the host builds for a frame (without the 55 AA header). */
export function stirFirWrap (frame: Uint8Array): Uint8Array {
  const out: number[] = new Array(16).fill(0x7F)
  out.push(0x7E, 0x7E)
  for (const b of appendFcs32(frame)) stuff(out, b)
  out.push(0x7E, 0x7E)
  return Uint8Array.from(out)
}

/** One bulk-OUT transfer: header + SIR wrap, or + FIR stream at 4 Mbit/s. */
export function encodeStirTransfer (frame: Uint8Array, bps: number, xbofs = 0): Uint8Array {
  const body = bps === 4000000 ? stirFirWrap(frame) : sirWrap(frame, { xbofs })
  const out = new Uint8Array(body.length + 4)
  out.set([0x55, 0xAA, body.length & 0xFF, body.length >> 8])
  out.set(body, 4)
  return out
}

export function decodeStirTransfer (t: Uint8Array): Decoded<Uint8Array> {
  if (t.length < 4 || t[0] !== 0x55 || t[1] !== 0xAA) return fail('STIr4200 transfer without its 55 AA header')
  const len = t[2] | t[3] << 8
  if (len !== t.length - 4) return fail(`STIr4200 header says ${len} bytes, ${t.length - 4} came`)
  return ok(t.subarray(4))
}

export type FirEvent = { type: 'frame', frame: Uint8Array } | { type: 'error', reason: RxErrorReason }

/** Incremental receiver of the STIr4200 FIR stream, as Linux's stir_fir_chars. Never throws. */
export class StirFirUnwrapper {
  private state: 'outside' | 'begin' | 'inside' | 'escape' = 'outside'
  private buf: number[] = []

  reset (): void { this.state = 'outside'; this.buf = [] }

  push (bytes: Uint8Array): FirEvent[] {
    const out: FirEvent[] = []
    for (let b of bytes) {
      switch (this.state) {
        case 'outside':
          if (b === 0x7E) { this.state = 'begin'; this.buf = [] }
          continue
        case 'escape':
          if (b === 0x7E) { out.push({ type: 'error', reason: 'abort' }); this.state = 'outside'; continue }
          this.state = 'inside'
          b ^= 0x20
          break
        case 'begin':
        case 'inside':
          if (this.state === 'begin') {
            if (b === 0x7E) continue
            this.state = 'inside'
          }
          if (b === 0x7D) { this.state = 'escape'; continue }
          if (b === 0x7F) { out.push({ type: 'error', reason: 'abort' }); this.state = 'outside'; continue }
          if (b === 0x7E) { this.state = 'outside'; out.push(this.end()); continue }
          break
      }
      if (this.buf.length >= MAX_LAP_FRAME + 4) { out.push({ type: 'error', reason: 'overrun' }); this.state = 'outside'; continue }
      this.buf.push(b)
    }
    return out
  }

  private end (): FirEvent {
    const f = Uint8Array.from(this.buf)
    this.buf = []
    if (f.length < 2 + 4) return { type: 'error', reason: 'runt' }
    return checkFcs32(f) ? { type: 'frame', frame: f.slice(0, f.length - 4) } : { type: 'error', reason: 'fcs' }
  }
}
