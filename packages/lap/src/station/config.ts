/*!
 * Station configuration and the IrLAP 1.1 constants it defaults to.
 */
import type { Random } from '@irdakit/core'
import type { QosFields } from '../frame.js'
import type { NegotiateOptions } from '../qos/index.js'

/** Spec values (IrLAP 1.1 sections 6.11 to 6.13 and appendix A). */
export const LAP_DEFAULTS = {
  /** Contention speed: every station starts (and returns) at 9600 b/s (IrLAP 1.1 section 6.6.1). */
  contentionBps: 9600,
  /** Minimum turnaround assumed before negotiation: 10 ms (the slowest value of PI 0x86). */
  contentionMinTurnaroundMs: 10,
  /** XBOFs before every NDM frame at 9600 b/s (the 10 the spec asks before negotiation). */
  contentionXbofs: 10,
  /** Maximum turnaround time before negotiation: 500 ms. */
  contentionMaxTurnaroundMs: 500,
  /** Listen this long with no traffic before discovery or SNRM (IrLAP 1.1 section 6.13.3 media busy). */
  mediaBusyMs: 500,
  /** Give up a discovery/connect that has waited this long for a quiet medium. */
  mediaBusyGiveUpMs: 5000,
  /** Slot timer: time after our XID command for answers (the spec allows 25 to 85 ms of wait after the frame). */
  slotMs: 80,
  /** Extra time the responder allows after the last slot for the final XID (Query timer). */
  queryMarginMs: 250,
  /** N3: SNRM (and DISC, reset SNRM) tries before giving up. */
  connectTries: 3,
  /** Longest wait for the layer above to answer a connect indication before we forget the SNRM. */
  connectResponseMs: 3000,
  /** Threshold time (N1 times F) before negotiation settles it; the spec's 3 s. */
  thresholdMs: 3000,
  /** Idle poll of a primary with nothing to send starts this fast and doubles up to the P timer. */
  fastPollMs: 10,
} as const

export type LapTiming = { -readonly [K in keyof typeof LAP_DEFAULTS]: number }

export interface StationConfig {
  /** Our 32-bit device address; default: random (never 0 or broadcast). */
  deviceAddress?: number
  /** All randomness (slots, addresses, connection addresses) comes from here. */
  random: Random
  /** Our QoS capabilities (negotiation parameter bit fields). Default: `defaultQos()` of the codec. */
  qos?: QosFields
  /** Discovery info we send (hints, charset, nickname as IrLMP encodes them). Default: empty. */
  discoveryInfo?: Uint8Array
  /**
   * Recover a single lost I frame with SREJ (receiver keeps the frames after the gap) instead
   * of REJ (go back N). Default true.
   */
  srej?: boolean
  /** Options for QoS negotiation (data size cap, minimum turnaround floor). */
  negotiate?: NegotiateOptions
  /** Overrides of the spec timing (tests shorten or stretch them). */
  timing?: Partial<LapTiming>
}
