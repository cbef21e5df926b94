/*!
 * IrCOMM 9-wire "cooked" framing (IrCOMM 1.0 section 3), as IRLMP_9WIRE_MODE sockets use it:
 * every TinyTP SDU is `clen (1 byte) | clen bytes of control parameters | data`. Control
 * parameters are PI/PL/PV tuples (DTE/DCE lines, data rate, ...); IrSock sends none (clen 0,
 * as Windows CE does) and strips the ones it receives, so the application sees only data.
 */

/** Bytes of the clen field in front of every cooked frame. */
export const IRCOMM_CLEN_SIZE = 1

/** One cooked frame carrying `data` and no control parameters. */
export function encodeCookedFrame (data: Uint8Array): Uint8Array {
  const frame = new Uint8Array(IRCOMM_CLEN_SIZE + data.length)
  frame.set(data, IRCOMM_CLEN_SIZE)
  return frame
}

/**
 * Splits a received cooked frame into its control parameters and data. Undefined when the
 * frame is empty or clen runs past its end: Linux drops such frames (ircomm_core.c, seen with
 * stir4200/mcp2150 peers), and so do we.
 */
export function decodeCookedFrame (frame: Uint8Array): { control: Uint8Array, data: Uint8Array } | undefined {
  if (frame.length < IRCOMM_CLEN_SIZE) return undefined
  const clen = frame[0]
  if (clen + IRCOMM_CLEN_SIZE > frame.length) return undefined
  return { control: frame.subarray(1, 1 + clen), data: frame.subarray(1 + clen) }
}
