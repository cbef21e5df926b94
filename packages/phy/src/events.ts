/*!
 * What every IrPHY receiver (SIR, MIR, FIR) reports: good frames (FCS checked and removed) and
 * typed reception errors. The names follow DESIGN.md (`SirEvent`); MIR and FIR reuse the shape.
 */

/**
 * Why a received frame was dropped:
 * - `fcs`: the frame check sequence did not match;
 * - `abort`: the frame was cut off (a new start inside it, an illegal escape or symbol, an HDLC abort);
 * - `overrun`: longer than the receiver's `maxFrame`;
 * - `runt`: shorter than A + C + FCS.
 */
export type FrameErrorReason = 'fcs' | 'abort' | 'overrun' | 'runt'

/** One reception result. `frame` is A + C + I with the FCS removed. */
export type SirEvent =
  | { type: 'frame', frame: Uint8Array }
  | { type: 'error', reason: FrameErrorReason }

/** An incremental receiver for one speed class. Correct under any chunking; never throws. */
export interface FrameUnwrapper {
  /** Feeds received bytes; returns the frames and errors they completed, in order. */
  push(bytes: Uint8Array): SirEvent[]
  /** Bytes seen outside any frame that were not idle fill (noise, or a frame whose start was lost). */
  readonly noiseBytes: number
  /** Forgets any partial frame (e.g. after a speed change). */
  reset(): void
  /**
   * True when nothing is in progress (no partial frame, no partial flag), so one whole packet
   * pushed now decodes on its own and leaves the receiver as it was. Receivers that do not
   * track it leave it undefined.
   */
  readonly idle?: boolean
}

/** Largest IrLAP information field (IrLAP 1.1 section 6.6, data size PI 0x83: 2048 bytes). */
export const MAX_DATA_SIZE = 2048

/** A + C + I for the largest information field. */
export const MAX_LAP_FRAME = MAX_DATA_SIZE + 2

export const ABORT: SirEvent = Object.freeze({ type: 'error', reason: 'abort' })
export const OVERRUN: SirEvent = Object.freeze({ type: 'error', reason: 'overrun' })
export const RUNT: SirEvent = Object.freeze({ type: 'error', reason: 'runt' })
export const BAD_FCS: SirEvent = Object.freeze({ type: 'error', reason: 'fcs' })
