/*!
 * What the station asks its driver to do on the medium, in order. The driver drains these with
 * `pollTransmit()` and performs them one after the other: a `speed` action after a frame takes
 * effect once that frame has left (IrLAP 1.1 section 6.7.3: the secondary switches after its
 * UA is out, the primary after it has received the UA).
 */

export type TxAction =
  /** Send one frame (A + C + I, no FCS) with this many extra XBOFs in front (SIR). */
  | { type: 'frame', frame: Uint8Array, xbofs: number }
  /** Change the line speed once everything queued before has left. */
  | { type: 'speed', bps: number }
  /** From now on wait this long (ms) after receiving before we transmit: the peer's minimum turnaround time. */
  | { type: 'min-turnaround', ms: number }
