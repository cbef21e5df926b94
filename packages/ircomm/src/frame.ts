/*!
 * Cooked framing (IrCOMM 1.0 section 8): every TinyTP SDU of a 3-wire or 9-wire connection is
 * `clen (1 byte) | clen bytes of control parameters | data`. clen 0 is a data-only frame; a frame
 * with no data is control-only. Raw (3-wire raw) frames are bare data and need no codec.
 */
import { encodeParams, type IrcommParam } from './params.js'

/** Bytes of the clen field. */
export const CLEN_SIZE = 1
/** The most control bytes one frame carries (clen is one byte). */
export const MAX_CLEN = 255

/** One cooked frame. `control` is tuples already encoded, or parameters to encode. */
export function encodeCookedFrame (control: Uint8Array | readonly IrcommParam[], data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const ctl = control instanceof Uint8Array ? control : encodeParams(control)
  if (ctl.length > MAX_CLEN) throw new RangeError(`control channel part of ${ctl.length} bytes: at most ${MAX_CLEN} fit one frame`)
  const frame = new Uint8Array(CLEN_SIZE + ctl.length + data.length)
  frame[0] = ctl.length
  frame.set(ctl, CLEN_SIZE)
  frame.set(data, CLEN_SIZE + ctl.length)
  return frame
}

/**
 * Splits a cooked frame into its control bytes and data. Undefined when the frame is empty or
 * clen runs past its end: Linux drops such frames (ircomm_core.c, seen with stir4200/mcp2150
 * peers), and so do we (the caller counts them).
 */
export function decodeCookedFrame (frame: Uint8Array): { control: Uint8Array, data: Uint8Array } | undefined {
  if (frame.length < CLEN_SIZE) return undefined
  const clen = frame[0]
  if (CLEN_SIZE + clen > frame.length) return undefined
  return { control: frame.subarray(CLEN_SIZE, CLEN_SIZE + clen), data: frame.subarray(CLEN_SIZE + clen) }
}

/** User data bytes one cooked frame carries when the TinyTP segment holds `segmentSize` bytes. */
export const cookedDataSize = (segmentSize: number): number => Math.max(0, segmentSize - CLEN_SIZE)
