/*!
 * The plain-data messages stations and the medium exchange. Nothing here holds a reference to a
 * port or a clock, so the same messages can cross a local socket to stacks in other processes
 * (byte arrays become base64, everything else is JSON).
 */

/** Station -> medium. */
export type StationMessage =
  /** A station joins the room at `speed`. */
  | { type: 'attach', station: string, speed: number }
  /** A station leaves; its transmission on air, if any, still completes. */
  | { type: 'detach', station: string }
  /** The station's receiver (and next transmission) now runs at `speed`. */
  | { type: 'speed', station: string, speed: number }
  /** The station starts transmitting `wire` (the encoded bytes of `frame`) now, at `speed`. */
  | { type: 'transmit', station: string, speed: number, xbofs: number, wire: Uint8Array, frame: Uint8Array }

/** Medium -> station. `at` is the medium time the message takes effect. */
export type MediumMessage =
  /** Someone else's signal started (busy) or every such signal ended (idle). */
  | { type: 'media', station: string, busy: boolean, at: number }
  /** Bytes a station's receiver picked up from transmission `txId` (possibly damaged, possibly noise). */
  | { type: 'receive', station: string, txId: number, bytes: Uint8Array, at: number }
  /** The station's transmission `txId` has left the air. */
  | { type: 'tx-end', station: string, txId: number, at: number }

/** Why a receiver got nothing at all from a transmission. */
export type MissReason = 'out-of-range' | 'obstructed' | 'dropped' | 'deaf'

/** What happened to the bytes on the way to a receiver that did get some. */
export type Effect = 'speed-mismatch' | 'collision' | 'bit-errors' | 'burst' | 'deaf'

/** One receiver's share of a transmission, as the medium saw it. */
export interface Reception {
  station: string
  /** Bytes reached the receiver (maybe damaged). False: see `missed`. */
  heard: boolean
  missed?: MissReason
  /** Damage done on the way, in the order applied; empty means the bytes arrived intact. */
  effects: Effect[]
}

/** A complete transmission, reported once it has left the air and every receiver got its share. */
export interface TransmissionSummary {
  id: number
  sender: string
  /** Start and end of the airtime, ms on the room clock. */
  start: number
  end: number
  speed: number
  xbofs: number
  /** The encoded bytes as sent. */
  wire: Uint8Array
  /** The IrLAP frame (A + C + I) that was encoded. */
  frame: Uint8Array
  receptions: Reception[]
}

/** Everything the medium core emits: messages for stations, and summaries for taps. */
export type MediumOutput = MediumMessage | { type: 'summary', summary: TransmissionSummary, at: number }
