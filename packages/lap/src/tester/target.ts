/*!
 * The device under test, as the frame-level tester sees it: something that takes frames and
 * time, and gives back medium actions and events. `stationTarget` adapts an `IrlapStation`;
 * the conformance suite can adapt other implementations (or a Port to a real device) the same way.
 */
import type { TxAction } from '../station/actions.js'
import type { IrlapStation } from '../station/station.js'

export interface LapTarget {
  /** A whole frame (A + C + I, FCS good) from the tester arrives at `now`. */
  deliver(now: number, frame: Uint8Array): void
  /** A damaged frame arrives (bad FCS). */
  deliverError?(now: number): void
  /** The medium turns busy or idle. */
  mediaBusy?(now: number, busy: boolean): void
  /** Everything the target queued has left its transmitter. */
  txDone?(now: number): void
  /** Fire due timers. */
  poll(now: number): void
  nextDeadline(): number | undefined
  /** Medium actions produced since the last call, in order. */
  takeTransmit(): TxAction[]
  /** Events for the layer above produced since the last call, in order. */
  takeEvents(): unknown[]
}

/** Plays an `IrlapStation` as the tester's target. */
export function stationTarget (st: IrlapStation): LapTarget {
  return {
    deliver: (now, frame) => { st.handleFrame(now, frame) },
    deliverError: now => { st.handleRxError(now, 'fcs') },
    mediaBusy: (now, busy) => { st.handleMediaBusy(now, busy) },
    txDone: now => { st.handleTxDone(now) },
    poll: now => { st.poll(now) },
    nextDeadline: () => st.nextDeadline(),
    takeTransmit: () => {
      const out: TxAction[] = []
      for (let a = st.pollTransmit(); a !== undefined; a = st.pollTransmit()) out.push(a)
      return out
    },
    takeEvents: () => {
      const out: unknown[] = []
      for (let e = st.pollEvent(); e !== undefined; e = st.pollEvent()) out.push(e)
      return out
    },
  }
}
