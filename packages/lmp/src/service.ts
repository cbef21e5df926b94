/*!
 * What IrLMP exchanges with the layers around it. Below: IrLAP requests (queued for the stack
 * driver, which calls the IrLAP station) and IrLAP events (the station's `LapEvent`s, fed in).
 * Above: LM events, drained by the stack, keyed by a connection handle.
 */
import type { DiscoveryInfo } from '@irdakit/lap'
import type { AccessMode, AccessModeStatus } from './pdu.js'
import type { IasEntry } from './ias/iap.js'

/** A request IrLMP makes of IrLAP, in order. */
export type LapRequest =
  | { type: 'discovery', slots: 1 | 6 | 8 | 16 }
  | { type: 'connect', deviceAddress: number }
  /** Accept the connection IrLAP indicated. */
  | { type: 'connect-response' }
  | { type: 'disconnect' }
  /** Accept the reset IrLAP indicated (IrLAP 1.1 6.9): the link stays up, its sequence numbers start again. */
  | { type: 'reset-response' }
  /** One reliable LM-MUX PDU in one I frame. */
  | { type: 'data', data: Uint8Array }
  /** One unreliable LM-MUX PDU in one UI frame. */
  | { type: 'unitdata', data: Uint8Array }

/** A device in the discovery log. */
export interface DeviceInfo extends DiscoveryInfo {
  deviceAddress: number
  /** When it was last seen (stack clock, ms). */
  lastSeen: number
}

/**
 * Why an LSAP connection ended, as a cause the layers above can map to socket errors, beside
 * the raw IrLMP reason code (IrLMP 1.1 section 4.1.4).
 */
export type LmDisconnectCause =
  | 'user-request'         // 0x01: the peer (or we) closed it
  | 'link-lost'            // 0x02: IrLAP disconnected under it
  | 'link-failed'          // 0x03: IrLAP could not connect
  | 'link-reset'           // 0x04: IrLAP reset, data may be lost
  | 'lm-initiated'         // 0x05: link management (exclusive mode, shutdown)
  | 'data-on-closed'       // 0x06: data arrived for a connection that no longer exists
  | 'non-responsive'       // 0x07: the peer's LM-MUX client never answered the connect
  | 'no-client'            // 0x08: nothing listens on the selector we connected to
  | 'half-open'            // 0x09
  | 'illegal-source'       // 0x0A
  | 'unspecified'          // 0xFF and anything else

export function causeOf (reason: number): LmDisconnectCause {
  switch (reason) {
    case 0x01: return 'user-request'
    case 0x02: return 'link-lost'
    case 0x03: return 'link-failed'
    case 0x04: return 'link-reset'
    case 0x05: return 'lm-initiated'
    case 0x06: return 'data-on-closed'
    case 0x07: return 'non-responsive'
    case 0x08: return 'no-client'
    case 0x09: return 'half-open'
    case 0x0A: return 'illegal-source'
    default: return 'unspecified'
  }
}

export type IasQueryResult =
  | { ok: true, returnCode: number, entries: IasEntry[] }
  | { ok: false, cause: LmDisconnectCause | 'malformed' | 'busy', message: string }

export type LmEvent =
  | { type: 'connect-indication', conn: number, localLsap: number, remoteLsap: number, deviceAddress: number, userData: Uint8Array }
  | { type: 'connect-confirm', conn: number, userData: Uint8Array }
  | { type: 'data-indication', conn: number, data: Uint8Array }
  | { type: 'disconnect-indication', conn: number, reason: number, cause: LmDisconnectCause, userData: Uint8Array, lapReason?: string }
  | { type: 'access-mode-indication', conn: number, mode: AccessMode }
  | { type: 'access-mode-confirm', conn: number, status: AccessModeStatus, mode: AccessMode }
  | { type: 'connectionless-indication', sourceLsap: number, data: Uint8Array }
  | { type: 'discovery-confirm', status: 'ok' | 'media-busy' | 'link-in-use', devices: DeviceInfo[] }
  | { type: 'discovery-indication', device: DeviceInfo }
  | { type: 'ias-result', query: number, result: IasQueryResult }
  | { type: 'link-up', deviceAddress: number, txDataSize: number }
  | { type: 'link-down', reason: string }
  | { type: 'link-status', status: 'threshold' | 'restored' }
