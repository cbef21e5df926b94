/*!
 * FIR framing (IrPHY 1.4 section 6, 4 Mb/s, 4PPM).
 *
 * 4PPM sends each data bit pair (DBP) as one symbol of four 125 ns chips with exactly one chip
 * lit: DBP 00 -> 1000, 01 -> 0100, 10 -> 0010, 11 -> 0001 (the DBP read as a number, bits taken
 * from each byte least significant pair first; the leftmost chip goes first). A packet is:
 * - preamble: 16 repetitions of the symbols 1000 0000 1010 1000;
 * - start flag: 0000 1100 0000 1100 0110 0000 0110 0000;
 * - A + C + I and the FCS-32 (LSB first), 4 symbols per byte;
 * - stop flag: 0000 1100 0000 1100 0000 0110 0000 0110.
 *
 * How we represent it as bytes: one wire byte holds two symbols (8 chips, 1 us at 4 Mb/s), the
 * earlier symbol in the high nibble. A data byte is two wire bytes; preamble 32 wire bytes;
 * each flag 4. So the byte stream is the chip stream itself: a flipped bit is a flipped chip,
 * which always makes an illegal symbol (zero or two chips lit), exactly as on the air. Airtime
 * is 1 us per wire byte. Not modelled: chip-clock recovery (we assume nibble alignment).
 */
import { LocalProtocolError } from '@irdakit/core'
import { fcs32, FCS32_RESIDUE } from './crc.js'
import { crc32 } from './crc32.js'
import { ABORT, BAD_FCS, MAX_LAP_FRAME, OVERRUN, RUNT, type FrameUnwrapper, type SirEvent } from './events.js'
import { pooledBytes, pooledCopy } from './pool.js'
import type { UnwrapperOptions } from './sir.js'

/** One preamble repetition as wire bytes (symbols 1000 0000 | 1010 1000). */
const PREAMBLE_UNIT = [0x80, 0xA8] as const
/** Preamble repetitions before every packet (IrPHY: 16). */
export const FIR_PREAMBLE_REPEATS = 16
export const FIR_START_FLAG: readonly number[] = [0x0C, 0x0C, 0x60, 0x60]
export const FIR_STOP_FLAG: readonly number[] = [0x0C, 0x0C, 0x06, 0x06]
/** Fixed wire bytes around the encoded frame: preamble + start + stop. */
export const FIR_OVERHEAD_WIRE_BYTES = FIR_PREAMBLE_REPEATS * 2 + 4 + 4
/** Default receive limit: A + C + 2048 information bytes + FCS-32. */
export const FIR_MAX_FRAME = MAX_LAP_FRAME + 4
const MIN_FRAME = 6

const CHIP = [0x8, 0x4, 0x2, 0x1] as const
/** Wire byte -> the two DBPs it carries (high symbol in bits 1..0, low symbol in bits 3..2), or -1 if illegal. */
const DECODE = new Int8Array(256).fill(-1)
for (let hi = 0; hi < 4; hi++) {
  for (let lo = 0; lo < 4; lo++) DECODE[(CHIP[hi] << 4) | CHIP[lo]] = hi | (lo << 2)
}

/** Data byte -> its two wire bytes (low DBPs first), as one table lookup per byte. */
const ENCODE_LO = new Uint8Array(256)
const ENCODE_HI = new Uint8Array(256)
for (let b = 0; b < 256; b++) {
  ENCODE_LO[b] = (CHIP[b & 3] << 4) | CHIP[(b >> 2) & 3]
  ENCODE_HI[b] = (CHIP[(b >> 4) & 3] << 4) | CHIP[b >> 6]
}
/** The same pair as one 16-bit store, in this machine's byte order. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
const ENCODE_PAIR = Uint16Array.from({ length: 256 }, (_, b) => LITTLE_ENDIAN ? ENCODE_LO[b] | (ENCODE_HI[b] << 8) : (ENCODE_LO[b] << 8) | ENCODE_HI[b])
/**
 * Two wire bytes read as one little-endian 16-bit word -> the data byte they carry, or -1 if
 * either symbol is illegal: the receiver decodes a clean frame body a word at a time.
 */
const DECODE_PAIR = new Int16Array(65536).fill(-1)
for (let first = 0; first < 256; first++) {
  for (let second = 0; second < 256; second++) {
    if (DECODE[first] >= 0 && DECODE[second] >= 0) DECODE_PAIR[(second << 8) | first] = DECODE[first] | (DECODE[second] << 4)
  }
}
/** Wire bytes before the encoded frame: preamble and start flag (an even count, so 16-bit stores align). */
const FRAME_AT = FIR_PREAMBLE_REPEATS * 2 + 4

/** Wraps an IrLAP frame (A + C + I) for FIR: preamble, start flag, 4PPM frame and FCS-32, stop flag. */
export function firWrap (frame: Uint8Array): Uint8Array {
  const n = frame.length
  // Every byte is written below, so a pooled (8-byte aligned) array needs no zeroing.
  const out = pooledBytes(FIR_OVERHEAD_WIRE_BYTES + (n + 4) * 2)
  let o = 0
  for (let i = 0; i < FIR_PREAMBLE_REPEATS; i++) { out[o++] = PREAMBLE_UNIT[0]; out[o++] = PREAMBLE_UNIT[1] }
  for (const b of FIR_START_FLAG) out[o++] = b
  const pairs = new Uint16Array(out.buffer, out.byteOffset + FRAME_AT, n)
  for (let i = 0; i < n; i++) pairs[i] = ENCODE_PAIR[frame[i]]
  o += 2 * n
  const fcs = fcs32(frame)
  for (let i = 0; i < 4; i++) { const b = (fcs >>> (8 * i)) & 0xFF; out[o++] = ENCODE_LO[b]; out[o++] = ENCODE_HI[b] }
  for (const b of FIR_STOP_FLAG) out[o++] = b
  return out
}

const HUNT = 0
const DATA = 1
/** Inside a frame, after a 0x0C: collecting a flag (stop, or a new start). */
const FLAG = 2

/**
 * Incremental FIR receiver. Hunts for the start flag (preamble and dark 0x00 bytes are idle,
 * anything else is counted as noise), then decodes symbols until the stop flag. An illegal
 * symbol aborts the frame; a start flag inside a frame aborts it and begins a new one. Never throws.
 */
export class FirUnwrapper implements FrameUnwrapper {
  private readonly buf: Uint8Array
  private readonly maxFrame: number
  private state = HUNT
  /** HUNT: start-flag bytes matched; FLAG: flag bytes collected. */
  private matched = 0
  private flag = [0, 0, 0, 0]
  private len = 0
  /** The first wire byte of a data byte, or -1. */
  private half = -1
  private noise = 0

  constructor (opts: UnwrapperOptions = {}) {
    const maxFrame = opts.maxFrame ?? FIR_MAX_FRAME
    if (!Number.isInteger(maxFrame) || maxFrame < MIN_FRAME) {
      throw new LocalProtocolError(`maxFrame must be an integer >= ${MIN_FRAME}, got ${maxFrame}`)
    }
    this.maxFrame = maxFrame
    this.buf = new Uint8Array(maxFrame)
  }

  get noiseBytes (): number { return this.noise }

  reset (): void { this.state = HUNT; this.matched = 0 }

  get idle (): boolean { return this.state === HUNT && this.matched === 0 }

  push (bytes: Uint8Array): SirEvent[] {
    const events: SirEvent[] = []
    let i = 0
    while (i < bytes.length) {
      if (this.state === DATA) i = this.dataRun(bytes, i)
      if (i < bytes.length) this.byte(bytes[i++], events)
    }
    return events
  }

  /**
   * The body of a frame in one tight loop: legal symbols only. Stops (returning the index) at
   * the first byte that needs `byte()`: an illegal symbol or flag byte (0x0C is illegal as a
   * symbol), or a full buffer.
   */
  private dataRun (bytes: Uint8Array, i: number): number {
    const buf = this.buf
    let len = this.len
    let half = this.half
    if (LITTLE_ENDIAN && half < 0 && ((bytes.byteOffset + i) & 1) === 0) {
      // Word at a time while both symbols are legal; the byte loop below takes over at the first
      // word that is not (a flag, an illegal symbol) or at a full buffer.
      const words = new Uint16Array(bytes.buffer, bytes.byteOffset + i, (bytes.length - i) >>> 1)
      const room = this.maxFrame - len
      const n = words.length < room ? words.length : room
      let k = 0
      for (; k < n; k++) {
        const v = DECODE_PAIR[words[k]]
        if (v < 0) break
        buf[len++] = v
      }
      i += 2 * k
    }
    for (; i < bytes.length; i++) {
      const v = DECODE[bytes[i]]
      if (v < 0) break
      if (half < 0) { half = v; continue }
      if (len === this.maxFrame) break
      buf[len++] = half | (v << 4)
      half = -1
    }
    this.len = len
    this.half = half
    return i
  }

  private byte (w: number, events: SirEvent[]): void {
    if (this.state === HUNT) { this.hunt(w); return }
    if (this.state === FLAG) { this.collectFlag(w, events); return }
    if (w === 0x0C && this.half < 0) {
      this.state = FLAG; this.flag[0] = w; this.matched = 1
      return
    }
    const v = DECODE[w]
    if (v < 0) { this.abortAndHunt(w, events); return }
    if (this.half < 0) { this.half = v; return }
    if (this.len === this.maxFrame) {
      events.push(OVERRUN)
      this.state = HUNT; this.matched = 0
      return
    }
    this.buf[this.len++] = this.half | (v << 4)
    this.half = -1
  }

  private hunt (w: number): void {
    if (w === FIR_START_FLAG[this.matched]) {
      if (++this.matched === FIR_START_FLAG.length) this.begin()
      return
    }
    // Restart the match: a 0x0C may begin (or, after one 0x0C, continue) a start flag.
    const prev = this.matched
    this.matched = w === 0x0C ? (prev === 2 ? 2 : 1) : 0
    if (w !== 0x0C && w !== 0x00 && w !== PREAMBLE_UNIT[0] && w !== PREAMBLE_UNIT[1]) this.noise++
  }

  private begin (): void {
    this.state = DATA; this.len = 0; this.half = -1; this.matched = 0
  }

  private collectFlag (w: number, events: SirEvent[]): void {
    this.flag[this.matched++] = w
    const f = this.flag
    const isStop = f.every((b, k) => k >= this.matched || b === FIR_STOP_FLAG[k])
    const isStart = f.every((b, k) => k >= this.matched || b === FIR_START_FLAG[k])
    if (!isStop && !isStart) { this.abortAndHunt(w, events); return }
    if (this.matched < 4) return
    if (isStop) {
      events.push(this.finish())
      this.state = HUNT; this.matched = 0
    } else {
      events.push(ABORT)
      this.begin()
    }
  }

  private abortAndHunt (w: number, events: SirEvent[]): void {
    events.push(ABORT)
    this.state = HUNT; this.matched = 0
    this.hunt(w)
  }

  private finish (): SirEvent {
    const len = this.len
    if (len < MIN_FRAME) return RUNT
    if (crc32(this.buf, 0xFFFFFFFF, 0, len) !== FCS32_RESIDUE) return BAD_FCS
    return { type: 'frame', frame: pooledCopy(this.buf, len - 4) }
  }
}
