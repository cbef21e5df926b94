/*!
 * MIR framing (IrPHY 1.4 section 5, 0.576 and 1.152 Mb/s): synchronous HDLC.
 *
 * What we model, bit for bit, least significant bit of each byte first:
 * - two start flags 0x7E (IrPHY requires at least two before every frame);
 * - the frame (A + C + I) and its FCS-16 (the same CCITT CRC as SIR, LSB first), with a 0 bit
 *   stuffed after every run of five 1 bits so no flag can appear inside;
 * - one stop flag 0x7E;
 * - then the line idles at 1 (no pulse in MIR's RZI modulation) up to the next byte boundary,
 *   at least 7 bits, which a receiver reads as "abort/idle" outside a frame. The byte stream
 *   is therefore what a bit-synchronous transmitter puts on the air, padded to whole bytes; every
 *   emitted byte counts 8 bit times in {@link mirAirtimeBits}.
 *
 * Not modelled: the RZI pulse shape itself (one bit = one bit time either way).
 */
import { LocalProtocolError } from '@irdakit/core'
import { crc16, fcs16, FCS16_RESIDUE } from './crc.js'
import { ABORT, BAD_FCS, MAX_LAP_FRAME, OVERRUN, RUNT, type FrameUnwrapper, type SirEvent } from './events.js'
import type { UnwrapperOptions } from './sir.js'

export const MIR_FLAG = 0x7E
/** Start flags before every frame (IrPHY: at least two). */
export const MIR_START_FLAGS = 2
/** Minimum idle 1 bits after the stop flag; 7 or more ones is an HDLC abort/idle. */
const MIN_IDLE_BITS = 7
/** Default receive limit: A + C + 2048 information bytes + FCS-16. */
export const MIR_MAX_FRAME = MAX_LAP_FRAME + 2
const MIN_FRAME = 4

/** Writes bits LSB first into a zeroed buffer. */
class BitWriter {
  readonly bytes: Uint8Array
  pos = 0
  private ones = 0
  constructor (maxBits: number) { this.bytes = new Uint8Array((maxBits + 7) >> 3) }

  raw (bit: number): void {
    if (bit !== 0) this.bytes[this.pos >> 3] |= 1 << (this.pos & 7)
    this.pos++
  }

  flag (): void {
    for (let i = 0; i < 8; i++) this.raw((MIR_FLAG >> i) & 1)
    this.ones = 0
  }

  /** A data byte with zero-bit insertion after five consecutive ones. */
  stuffed (byte: number): void {
    for (let i = 0; i < 8; i++) {
      const bit = (byte >> i) & 1
      this.raw(bit)
      if (bit === 0) { this.ones = 0; continue }
      if (++this.ones === 5) { this.raw(0); this.ones = 0 }
    }
  }
}

/** Wraps an IrLAP frame (A + C + I) for MIR: flags, stuffed frame and FCS-16, stop flag, idle fill. */
export function mirWrap (frame: Uint8Array): Uint8Array {
  const dataBits = (frame.length + 2) * 8
  const maxBits = (MIR_START_FLAGS + 1) * 8 + dataBits + Math.ceil(dataBits / 5) + MIN_IDLE_BITS + 8
  const w = new BitWriter(maxBits)
  for (let i = 0; i < MIR_START_FLAGS; i++) w.flag()
  for (let i = 0; i < frame.length; i++) w.stuffed(frame[i])
  const fcs = fcs16(frame)
  w.stuffed(fcs & 0xFF)
  w.stuffed(fcs >>> 8)
  w.flag()
  const end = w.pos + MIN_IDLE_BITS
  while (w.pos < end || (w.pos & 7) !== 0) w.raw(1)
  return w.bytes.slice(0, w.pos >> 3)
}

/**
 * Incremental MIR receiver: an HDLC bit engine. Flags delimit frames (shared flags and any
 * number of them between frames are fine), a 0 after five 1s is removed, seven 1s abort the
 * frame in progress (silently when it held no data: that is the idle line). A frame that is not
 * a whole number of bytes is reported as `abort`. Never throws.
 */
export class MirUnwrapper implements FrameUnwrapper {
  private readonly maxBits: number
  /** Destuffed bits since the last flag, one per entry (so a flag's leading bits can be taken back). */
  private readonly bits: Uint8Array
  private nbits = 0
  private ones = 0
  private hunting = true
  private noise = 0

  constructor (opts: UnwrapperOptions = {}) {
    const maxFrame = opts.maxFrame ?? MIR_MAX_FRAME
    if (!Number.isInteger(maxFrame) || maxFrame < MIN_FRAME) {
      throw new LocalProtocolError(`maxFrame must be an integer >= ${MIN_FRAME}, got ${maxFrame}`)
    }
    // Room for the frame plus the 0 and five 1s of the closing flag, taken back when it completes.
    this.maxBits = maxFrame * 8 + 6
    this.bits = new Uint8Array(this.maxBits + 1)
  }

  get noiseBytes (): number { return this.noise }

  reset (): void { this.nbits = 0; this.ones = 0; this.hunting = true }

  push (bytes: Uint8Array): SirEvent[] {
    const events: SirEvent[] = []
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]
      const quietByte = this.hunting
      let sawFlag = false
      for (let k = 0; k < 8; k++) {
        if (this.bit((byte >> k) & 1, events)) sawFlag = true
      }
      if (quietByte && this.hunting && !sawFlag && byte !== 0xFF) this.noise++
    }
    return events
  }

  /** One received bit; returns true when it completed a flag. */
  private bit (b: number, events: SirEvent[]): boolean {
    if (b === 1) {
      this.ones++
      if (this.ones <= 5) {
        this.append(1, events)
      } else if (this.ones === 7) {
        // Abort (or idle): whatever was collected besides this run of ones is lost.
        if (!this.hunting && this.nbits - 5 > 0) events.push(ABORT)
        this.hunting = true
        this.nbits = 0
      }
      return false
    }
    const ones = this.ones
    this.ones = 0
    if (ones === 5) return false // a stuffed zero
    if (ones === 6) {
      // Flag: its leading 0 and five 1s were appended as data; take them back.
      if (!this.hunting) this.endFrame(Math.max(0, this.nbits - 6), events)
      this.hunting = false
      this.nbits = 0
      return true
    }
    this.append(0, events)
    return false
  }

  private append (b: number, events: SirEvent[]): void {
    if (this.hunting) return
    if (this.nbits === this.maxBits) {
      events.push(OVERRUN)
      this.hunting = true
      this.nbits = 0
      return
    }
    this.bits[this.nbits++] = b
  }

  private endFrame (nbits: number, events: SirEvent[]): void {
    if (nbits === 0) return // back-to-back flags
    if ((nbits & 7) !== 0) { events.push(ABORT); return }
    const len = nbits >> 3
    if (len < MIN_FRAME) { events.push(RUNT); return }
    const out = new Uint8Array(len)
    for (let i = 0; i < len; i++) {
      let v = 0
      for (let k = 0; k < 8; k++) v |= this.bits[i * 8 + k] << k
      out[i] = v
    }
    if (crc16(out) !== FCS16_RESIDUE) { events.push(BAD_FCS); return }
    events.push({ type: 'frame', frame: out.slice(0, len - 2) })
  }
}
