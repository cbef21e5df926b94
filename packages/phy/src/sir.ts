/*!
 * SIR framing (IrLAP 1.1 section 10.1 "asynchronous wrapper", IrPHY 2.4 kb/s to 115.2 kb/s).
 *
 * On the wire: `xbofs` x XBOF (0xFF), BOF (0xC0), the frame (A + C + I) and its FCS-16 (LSB
 * first), EOF (0xC1). Inside BOF..EOF the bytes BOF, EOF and CE (0x7D) are sent as CE followed
 * by the byte XOR 0x20 ("transparency"). Each byte costs 10 bit times (start, 8 data, stop).
 */
import { LocalProtocolError } from '@irdakit/core'
import { crc16, CRC16_SLICES, FCS16_RESIDUE } from './crc.js'
import { pooledCopy } from './pool.js'
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
 * Non-zero when any byte of the little-endian word `w` is BOF, EOF or CE. Both codecs move four
 * bytes at a time through words without one (most of them, in real traffic) and take the
 * others byte by byte. BOF and EOF differ only in bit 0, so OR-ing it in folds them into one test.
 */
function hasSpecial (w: number): number {
  const bofEof = (w | 0x01010101) ^ 0xC1C1C1C1
  const ce = w ^ 0x7D7D7D7D
  return (((bofEof - 0x01010101) & ~bofEof) | ((ce - 0x01010101) & ~ce)) & 0x80808080
}

const viewOf = (a: Uint8Array): DataView => new DataView(a.buffer, a.byteOffset, a.byteLength)

/** Scratch for one wrapped frame of the largest size with every byte escaped; larger requests allocate. */
let wrapScratch = new Uint8Array(2 * (SIR_MAX_FRAME + 2) + 64)
let wrapScratchView = viewOf(wrapScratch)

/**
 * Wraps an IrLAP frame (A + C + I) for SIR: XBOFs, BOF, escaped frame and FCS-16, EOF.
 * Throws {@link LocalProtocolError} for a bad `xbofs`.
 */
export function sirWrap (frame: Uint8Array, opts?: SirWrapOptions): Uint8Array {
  const xbofs = opts?.xbofs ?? 0
  if (xbofs !== 0) checkXbofs(xbofs)
  const n = frame.length
  const worst = xbofs + 1 + 2 * (n + 2) + 1 + 3 // and the bytes escapeWithFcs may write past its end
  if (worst > wrapScratch.length) { wrapScratch = new Uint8Array(worst); wrapScratchView = viewOf(wrapScratch) }
  const out = wrapScratch
  if (xbofs !== 0) out.fill(XBOF, 0, xbofs)
  let o = xbofs
  out[o++] = BOF
  const view = wrapScratchView
  o = escapeWithFcs(frame, view, o)
  out[o++] = EOF
  return pooledCopy(out, o)
}

/**
 * Each byte as it goes out inside a frame, as a little-endian 16-bit store: the byte itself, or
 * CE then the byte XOR 0x20; and how many of those two bytes count. A store per byte, no branch:
 * the byte after a plain byte overwrites the unused half.
 */
const ESC_CODE = new Uint16Array(256)
const ESC_LEN = new Uint8Array(256)
for (let b = 0; b < 256; b++) {
  ESC_CODE[b] = NEEDS_ESCAPE[b] === 1 ? CE | ((b ^ ESC_XOR) << 8) : b
  ESC_LEN[b] = NEEDS_ESCAPE[b] + 1
}

/**
 * The same for two bytes at once (the 16-bit little-endian value of a pair): up to four bytes
 * out as one 32-bit store, and their count. 320 KiB of tables, for frames dense with escapes.
 */
const PAIR_CODE = new Uint32Array(65536)
const PAIR_LEN = new Uint8Array(65536)
for (let u = 0; u < 65536; u++) {
  const first = u & 0xFF
  const second = u >>> 8
  PAIR_CODE[u] = (ESC_CODE[first] | (ESC_CODE[second] << (8 * ESC_LEN[first]))) >>> 0
  PAIR_LEN[u] = ESC_LEN[first] + ESC_LEN[second]
}

const [C0, C1, C2, C3, C4, C5, C6, C7] = CRC16_SLICES

/**
 * Writes `src` and its FCS-16 with transparency escapes into `outView` from `o`; returns the new
 * end. May write up to three bytes past the end (room the caller keeps). One pass: the CRC runs
 * eight bytes at a time (slicing-by-8) over the words the escaping reads anyway, so the frame
 * is read once; eight plain bytes go out as two 32-bit stores, others through the pair table.
 */
function escapeWithFcs (src: Uint8Array, outView: DataView, o: number): number {
  const n = src.length
  const inView = viewOf(src)
  let i = 0
  let reg = 0xFFFF
  for (const last = n - 7; i < last; i += 8) {
    const a = inView.getUint32(i, true)
    const b = inView.getUint32(i + 4, true)
    const x = a ^ reg
    reg = C7[x & 0xFF] ^ C6[(x >>> 8) & 0xFF] ^ C5[(a >>> 16) & 0xFF] ^ C4[a >>> 24] ^
      C3[b & 0xFF] ^ C2[(b >>> 8) & 0xFF] ^ C1[(b >>> 16) & 0xFF] ^ C0[b >>> 24]
    if ((hasSpecial(a) | hasSpecial(b)) === 0) { outView.setUint32(o, a, true); outView.setUint32(o + 4, b, true); o += 8; continue }
    let u = a & 0xFFFF
    outView.setUint32(o, PAIR_CODE[u], true); o += PAIR_LEN[u]
    u = a >>> 16
    outView.setUint32(o, PAIR_CODE[u], true); o += PAIR_LEN[u]
    u = b & 0xFFFF
    outView.setUint32(o, PAIR_CODE[u], true); o += PAIR_LEN[u]
    u = b >>> 16
    outView.setUint32(o, PAIR_CODE[u], true); o += PAIR_LEN[u]
  }
  for (; i < n; i++) {
    const b = src[i]
    reg = (reg >>> 8) ^ C0[(reg ^ b) & 0xFF]
    outView.setUint16(o, ESC_CODE[b], true); o += ESC_LEN[b]
  }
  const fcs = ~reg & 0xFFFF
  outView.setUint16(o, ESC_CODE[fcs & 0xFF], true); o += ESC_LEN[fcs & 0xFF]
  outView.setUint16(o, ESC_CODE[fcs >>> 8], true); o += ESC_LEN[fcs >>> 8]
  return o
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
  private readonly bufView: DataView
  private readonly maxFrame: number
  private len = 0
  private state = OUTSIDE
  private noise = 0

  constructor (opts: UnwrapperOptions = {}) {
    const maxFrame = opts.maxFrame ?? SIR_MAX_FRAME
    if (!Number.isInteger(maxFrame) || maxFrame < SIR_MIN_FRAME) {
      throw new LocalProtocolError(`maxFrame must be an integer >= ${SIR_MIN_FRAME}, got ${maxFrame}`)
    }
    this.maxFrame = maxFrame
    this.buf = new Uint8Array(maxFrame)
    this.bufView = viewOf(this.buf)
  }

  get noiseBytes (): number { return this.noise }

  reset (): void { this.state = OUTSIDE; this.len = 0 }

  push (bytes: Uint8Array): SirEvent[] {
    const events: SirEvent[] = []
    const buf = this.buf
    const max = this.maxFrame
    const n = bytes.length
    const view = n >= 8 ? viewOf(bytes) : undefined
    let state = this.state
    let len = this.len
    let i = 0
    while (i < n) {
      if (state === INSIDE && view !== undefined) {
        i = this.copyRun(bytes, view, i, len)
        len = this.runLen
        if (i === n) break
      }
      const b = bytes[i++]
      if (state === INSIDE) {
        if (NEEDS_ESCAPE[b] === 0) {
          if (len === max) { events.push(OVERRUN); state = DISCARD } else buf[len++] = b
        } else if (b === EOF) {
          events.push(this.finish(len))
          state = OUTSIDE
        } else if (b === BOF) {
          if (len > 0) events.push(ABORT)
          len = 0
        } else if (i < n && NEEDS_ESCAPE[bytes[i]] === 0 && len < max) { // CE and its byte, both here
          buf[len++] = bytes[i++] ^ ESC_XOR
        } else {
          state = ESCAPED
        }
      } else if (state === OUTSIDE) {
        if (b === BOF) { state = INSIDE; len = 0 } else if (b !== XBOF) this.noise++
      } else if (state === ESCAPED) {
        if (b === BOF) {
          events.push(ABORT); state = INSIDE; len = 0
        } else if (b === EOF) {
          events.push(ABORT); state = OUTSIDE
        } else if (len === max) {
          events.push(OVERRUN); state = DISCARD
        } else {
          buf[len++] = b ^ ESC_XOR
          state = INSIDE
        }
      } else if (b === BOF) { // DISCARD
        state = INSIDE; len = 0
      } else if (b === EOF) {
        state = OUTSIDE
      }
    }
    this.state = state
    this.len = len
    return events
  }

  /** Where {@link copyRun} left the frame's length (a second result without an allocation). */
  private runLen = 0

  /**
   * The hot loop inside a frame: four bytes at a time, a word with a special byte copied up to
   * it, an escape pair taken in place and a run of escapes four at a time. Returns where it
   * stopped (at a BOF, an EOF, an escape it cannot finish here, the last three bytes of the
   * chunk or four bytes short of `maxFrame`) and leaves the length in `runLen`; the byte loop
   * in `push` takes it from there.
   */
  private copyRun (bytes: Uint8Array, view: DataView, i: number, len: number): number {
    const n = bytes.length
    const buf = this.buf
    const bufView = this.bufView
    const max = this.maxFrame
    const last = n - 4
    const room = max - 4
    while (true) {
      let special = 0
      for (; i <= last && len <= room; i += 4, len += 4) {
        const w = view.getUint32(i, true)
        special = hasSpecial(w)
        if (special !== 0) { bufView.setUint32(len, w, true); break } // the bytes before the special one are right; the rest is overwritten
        bufView.setUint32(len, w, true)
      }
      if (special === 0) break
      const k = (31 - Math.clz32(special & -special)) >> 3 // the lowest flag is exact
      i += k; len += k
      if (bytes[i] !== CE) break
      i++
      // A run of escapes: [x CE y CE][z CE u CE] with x..u plain gives four bytes per two words.
      if (bytes[i + 1] === CE) {
        for (const lastPairs = n - 8, roomPairs = max - 4; i <= lastPairs && len <= roomPairs; i += 8, len += 4) {
          const w1 = view.getUint32(i, true)
          const w2 = view.getUint32(i + 4, true)
          if ((((w1 ^ 0x7D007D00) | (w2 ^ 0x7D007D00)) & 0xFF00FF00) !== 0) break
          const escaped = (w1 & 0xFF) | ((w1 >>> 8) & 0xFF00) | ((w2 & 0xFF) << 16) | ((w2 << 8) & 0xFF000000)
          if (hasSpecial(escaped) !== 0) break
          bufView.setUint32(len, escaped ^ 0x20202020, true)
        }
      }
      // i is just after a CE: one escaped byte, or back to the CE for the byte loop.
      if (i === n || NEEDS_ESCAPE[bytes[i]] === 1 || len === max) { i--; break }
      buf[len++] = bytes[i++] ^ ESC_XOR
    }
    this.runLen = len
    return i
  }

  /** Checks the frame at EOF: the FCS over the whole frame in one pass (sliced CRC), not byte by byte as it arrived. */
  private finish (len: number): SirEvent {
    if (len < SIR_MIN_FRAME) return RUNT
    if (crc16(this.buf, 0xFFFF, 0, len) !== FCS16_RESIDUE) return BAD_FCS
    return { type: 'frame', frame: pooledCopy(this.buf, len - 2) }
  }
}
