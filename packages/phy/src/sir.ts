/*!
 * SIR framing (IrLAP 1.1 section 10.1 "asynchronous wrapper", IrPHY 2.4 kb/s to 115.2 kb/s).
 *
 * On the wire: `xbofs` x XBOF (0xFF), BOF (0xC0), the frame (A + C + I) and its FCS-16 (LSB
 * first), EOF (0xC1). Inside BOF..EOF the bytes BOF, EOF and CE (0x7D) are sent as CE followed
 * by the byte XOR 0x20 ("transparency"). Each byte costs 10 bit times (start, 8 data, stop).
 */
import { LocalProtocolError } from '@irdakit/core'
import { CRC16_TABLE, fcs16, FCS16_RESIDUE } from './crc.js'
import { ABORT, BAD_FCS, MAX_LAP_FRAME, OVERRUN, RUNT, type FrameUnwrapper, type SirEvent } from './events.js'

export const XBOF = 0xFF
export const BOF = 0xC0
export const EOF = 0xC1
/** Control escape: the next byte is XORed with 0x20. */
export const CE = 0x7D
const ESC_XOR = 0x20

/** Default receive limit: A + C + 2048 bytes of information + 2 FCS bytes. */
export const SIR_MAX_FRAME = MAX_LAP_FRAME + 2
/** A + C + FCS: anything shorter between BOF and EOF is a runt. */
export const SIR_MIN_FRAME = 4

/** 1 for the bytes that must be escaped inside a frame. */
const NEEDS_ESCAPE = new Uint8Array(256)
NEEDS_ESCAPE[BOF] = 1; NEEDS_ESCAPE[EOF] = 1; NEEDS_ESCAPE[CE] = 1

export interface SirWrapOptions {
  /** Extra XBOFs (0xFF) before the BOF: negotiated additional BOFs plus any turnaround fill. Default 0. */
  xbofs?: number
}

function checkXbofs (xbofs: number): void {
  if (!Number.isInteger(xbofs) || xbofs < 0) {
    throw new LocalProtocolError(`xbofs must be a non-negative integer, got ${xbofs}`)
  }
}

/**
 * Wraps an IrLAP frame (A + C + I) for SIR: XBOFs, BOF, escaped frame and FCS-16, EOF.
 * Throws {@link LocalProtocolError} for a bad `xbofs`.
 */
export function sirWrap (frame: Uint8Array, opts: SirWrapOptions = {}): Uint8Array {
  const xbofs = opts.xbofs ?? 0
  checkXbofs(xbofs)
  const n = frame.length
  // Count escapes first so the output is allocated at its exact size.
  let escapes = 0
  for (let i = 0; i < n; i++) escapes += NEEDS_ESCAPE[frame[i]]
  const fcs = fcs16(frame)
  const f0 = fcs & 0xFF
  const f1 = fcs >>> 8
  const fcsEscapes = NEEDS_ESCAPE[f0] + NEEDS_ESCAPE[f1]

  const out = new Uint8Array(xbofs + 1 + n + 2 + escapes + fcsEscapes + 1)
  out.fill(XBOF, 0, xbofs)
  let o = xbofs
  out[o++] = BOF
  if (escapes === 0) {
    out.set(frame, o)
    o += n
  } else {
    // Copy the runs between bytes that need escaping in bulk.
    let run = 0
    for (let i = 0; i < n; i++) {
      const b = frame[i]
      if (NEEDS_ESCAPE[b] === 0) continue
      out.set(frame.subarray(run, i), o)
      o += i - run
      out[o++] = CE
      out[o++] = b ^ ESC_XOR
      run = i + 1
    }
    out.set(frame.subarray(run, n), o)
    o += n - run
  }
  if (NEEDS_ESCAPE[f0] === 1) { out[o++] = CE; out[o++] = f0 ^ ESC_XOR } else out[o++] = f0
  if (NEEDS_ESCAPE[f1] === 1) { out[o++] = CE; out[o++] = f1 ^ ESC_XOR } else out[o++] = f1
  out[o] = EOF
  return out
}

export interface UnwrapperOptions {
  /** Longest frame accepted, counting A + C + I + FCS. Default {@link SIR_MAX_FRAME} (2052). */
  maxFrame?: number
}

const OUTSIDE = 0
const INSIDE = 1
const ESCAPED = 2
/** After an overrun: drop bytes until the next BOF or EOF. */
const DISCARD = 3

/**
 * Incremental SIR receiver. Feed it bytes in any chunking; it returns good frames (FCS removed)
 * and typed errors. XBOFs and noise before a BOF are skipped (noise is counted in
 * {@link SirUnwrapper.noiseBytes}); a BOF always starts a new frame, so the receiver
 * resynchronises on the next frame after any damage. Never throws.
 *
 * Errors: `abort` for a BOF inside a frame that had started, or CE followed by BOF/EOF;
 * `overrun` past `maxFrame`; `runt` for fewer than 4 bytes between BOF and EOF; `fcs` otherwise.
 */
export class SirUnwrapper implements FrameUnwrapper {
  private readonly buf: Uint8Array
  private readonly maxFrame: number
  private len = 0
  /** CRC-16 register over the bytes received so far: updated as they are copied, so a frame is checked in the same pass. */
  private crc = 0xFFFF
  private state = OUTSIDE
  private noise = 0

  constructor (opts: UnwrapperOptions = {}) {
    const maxFrame = opts.maxFrame ?? SIR_MAX_FRAME
    if (!Number.isInteger(maxFrame) || maxFrame < SIR_MIN_FRAME) {
      throw new LocalProtocolError(`maxFrame must be an integer >= ${SIR_MIN_FRAME}, got ${maxFrame}`)
    }
    this.maxFrame = maxFrame
    this.buf = new Uint8Array(maxFrame)
  }

  get noiseBytes (): number { return this.noise }

  reset (): void { this.state = OUTSIDE; this.len = 0; this.crc = 0xFFFF }

  push (bytes: Uint8Array): SirEvent[] {
    const events: SirEvent[] = []
    const buf = this.buf
    const max = this.maxFrame
    const T = CRC16_TABLE
    const n = bytes.length
    let state = this.state
    let len = this.len
    let crc = this.crc
    let i = 0
    while (i < n) {
      const b = bytes[i++]
      if (state === INSIDE) {
        if (NEEDS_ESCAPE[b] === 0) {
          if (len === max) { events.push(OVERRUN); state = DISCARD; continue }
          buf[len++] = b
          crc = (crc >>> 8) ^ T[(crc ^ b) & 0xFF]
          // Fast path: plain bytes until the next special one.
          while (i < n && len < max) {
            const c = bytes[i]
            if (NEEDS_ESCAPE[c] === 1) break
            buf[len++] = c
            crc = (crc >>> 8) ^ T[(crc ^ c) & 0xFF]
            i++
          }
        } else if (b === EOF) {
          events.push(this.finish(len, crc))
          state = OUTSIDE
        } else if (b === BOF) {
          if (len > 0) events.push(ABORT)
          len = 0
          crc = 0xFFFF
        } else {
          state = ESCAPED
        }
      } else if (state === OUTSIDE) {
        if (b === BOF) { state = INSIDE; len = 0; crc = 0xFFFF } else if (b !== XBOF) this.noise++
      } else if (state === ESCAPED) {
        if (b === BOF) {
          events.push(ABORT); state = INSIDE; len = 0; crc = 0xFFFF
        } else if (b === EOF) {
          events.push(ABORT); state = OUTSIDE
        } else if (len === max) {
          events.push(OVERRUN); state = DISCARD
        } else {
          const d = b ^ ESC_XOR
          buf[len++] = d
          crc = (crc >>> 8) ^ T[(crc ^ d) & 0xFF]
          state = INSIDE
        }
      } else if (b === BOF) { // DISCARD
        state = INSIDE; len = 0; crc = 0xFFFF
      } else if (b === EOF) {
        state = OUTSIDE
      }
    }
    this.state = state
    this.len = len
    this.crc = crc
    return events
  }

  private finish (len: number, crc: number): SirEvent {
    if (len < SIR_MIN_FRAME) return RUNT
    if (crc !== FCS16_RESIDUE) return BAD_FCS
    return { type: 'frame', frame: this.buf.slice(0, len - 2) }
  }
}
