/*!
 * IrLAP service primitives (IrLAP 1.1 section 4): what the layer above asks for (requests and
 * responses, one method each on the station) and what the station tells it (indications and
 * confirms, drained from `pollEvent()`). Events are plain immutable values, discriminated by
 * `type`, named after the spec primitives.
 */
import type { QosFields } from '../frame.js'

/** A device that answered (or ran) a discovery: its 32-bit address and its opaque discovery info. */
export interface DiscoveredDevice {
  deviceAddress: number
  /** Hints, charset and nickname as IrLMP encoded them; IrLAP carries them unread. */
  info: Uint8Array
}

/** Options of IRLAP_DISCOVERY.request. */
export interface DiscoveryRequest {
  /** Number of slots: 1, 6, 8 or 16 (IrLAP 1.1 section 6.11). Default 6. */
  slots?: 1 | 6 | 8 | 16
  /**
   * Run the new-address procedure (IrLAP 1.1 section 6.11.4): ask the station(s) holding this
   * address to pick a new random address before answering. Use an address reported in
   * `conflicts` by a previous discovery confirm.
   */
  newAddressFor?: number
}

/** Options of IRLAP_CONNECT.request. */
export interface ConnectRequest {
  deviceAddress: number
  /** Our QoS for this connection; default: the station's configured capabilities. */
  qos?: QosFields
}

/** Why a link ended (or never started). */
export type DisconnectReason =
  /** We asked (disconnect request) and the peer confirmed, or never answered DISC. */
  | 'user-request'
  /** The peer asked: DISC received (secondary) or RD received (primary). */
  | 'remote-request'
  /** The peer answered with DM: it has no connection (or refused ours). */
  | 'remote-dm'
  /** No valid frame for the negotiated link-disconnect time (N2 reached). */
  | 'link-lost'
  /** No answer to our SNRM after N3 tries. */
  | 'no-answer'
  /** The medium never became free for the 500 ms the spec asks before connecting. */
  | 'media-busy'
  /** A reset failed (no UA to the reset SNRM after N3 tries), or the peer broke the protocol past repair. */
  | 'reset-failed'
  /** The negotiation parameters do not intersect (no common speed, bad parameter list). */
  | 'negotiation-failed'

/** Why a discovery confirm carries no (complete) result. */
export type DiscoveryStatus = 'ok' | 'media-busy' | 'link-in-use'

/** Everything the station reports upward. */
export type LapEvent =
  /** IRLAP_DISCOVERY.confirm: the devices that answered, and any address seen twice. */
  | { type: 'discovery-confirm', status: DiscoveryStatus, devices: DiscoveredDevice[], conflicts: number[] }
  /** IRLAP_DISCOVERY.indication: another station discovered us (its final XID carried its info). */
  | { type: 'discovery-indication', device: DiscoveredDevice }
  /** The new-address procedure gave this station a new device address. */
  | { type: 'address-changed', previous: number, deviceAddress: number }
  /** IRLAP_CONNECT.indication: a primary wants a link; answer with connectResponse or disconnectRequest. */
  | { type: 'connect-indication', deviceAddress: number, qos: QosFields }
  /** IRLAP_CONNECT.confirm: the link is up with these negotiated parameters. */
  | { type: 'connect-confirm', deviceAddress: number, params: NegotiatedLink }
  /** IRLAP_DATA.indication: one I frame's information, in order, exactly once. */
  | { type: 'data-indication', data: Uint8Array }
  /** IRLAP_UNITDATA.indication: a UI frame's information (unreliable). */
  | { type: 'unitdata-indication', data: Uint8Array, broadcast: boolean }
  /** IRLAP_DISCONNECT.indication: the link is gone (or the connect failed). */
  | { type: 'disconnect-indication', reason: DisconnectReason }
  /**
   * IRLAP_STATUS.indication: `threshold` when no valid frame came for the threshold time (N1,
   * IrLAP 1.1 section 6.13.4: warn the user, the beam may be blocked), `restored` when frames
   * flow again before the disconnect time.
   */
  | { type: 'status-indication', status: 'threshold' | 'restored' }
  /** IRLAP_RESET.indication: the peer reset the link (secondary), or we must (primary, after FRMR / an invalid response). */
  | { type: 'reset-indication', origin: 'remote' | 'local' }
  /** IRLAP_RESET.confirm: the link was reset, sequence numbers are zero, unacknowledged data is gone. */
  | { type: 'reset-confirm' }
  /** A TEST exchange we started finished: echoed data, or `ok: false` when no answer came. */
  | { type: 'test-confirm', ok: boolean, data: Uint8Array }

export type LapEventType = LapEvent['type']

/** The link parameters both sides use after negotiation, as the station applies them. */
export interface NegotiatedLink {
  baudRate: number
  /** Bytes of information per I frame we may send (the peer's data size). */
  txDataSize: number
  /** I frames we may send per turn (the peer's window). */
  txWindowSize: number
  /** XBOFs before each frame we send, at the negotiated speed. */
  txAdditionalBofs: number
  /** What the peer needs between its last received bit and our first sent one. */
  txMinTurnaroundMs: number
  /** The longest we may hold the line (our maximum turnaround time). */
  maxTurnaroundMs: number
  /** The longest the peer may hold the line. */
  peerMaxTurnaroundMs: number
  rxDataSize: number
  rxWindowSize: number
  linkDisconnectMs: number
  thresholdMs: number
}
