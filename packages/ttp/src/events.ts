/*!
 * What a TtpConnection reports to its user (TinyTP 1.1 service primitives: TTP-Connect
 * indication/confirm, TTP-Data indication, TTP-Disconnect indication), plus flow signals.
 * Events are queued; the user drains them with `pollEvent()`.
 */
import type { WireError } from '@irdakit/core'
import type { LmDisconnectReasonCode } from './lm.js'

/** Why a connection ended, when the user did not end it. */
export type TtpDisconnectReason =
  /** IrLMP reported LM-Disconnect.indication with this reason (0x01: the peer asked). */
  | { kind: 'lm', code: LmDisconnectReasonCode }
  /** The peer's connect PDU did not decode; we refused or dropped the connection. */
  | { kind: 'bad-connect-pdu', error: WireError }
  /** IrLMP offered a data size too small for a header plus one byte of data. */
  | { kind: 'lm-data-size', maxDataSize: number }
  /** The peer kept sending data PDUs without credit, a whole window past it: cut off (IrLMP reason 0xFF). */
  | { kind: 'credit-overrun', window: number }

/** What a disconnect threw away. Complete SDUs already received stay readable. */
export interface LostData {
  /** SDUs (whole or partly unsent) still waiting for credit. */
  unsentSdus: number
  /** Bytes of those SDUs not yet handed to IrLMP. */
  unsentBytes: number
  /** Bytes of an incoming SDU whose last segment never came. */
  partialRxBytes: number
}

export type TtpEvent =
  /** TTP-Connect.indication: the peer wants a connection; answer with `accept()` or `disconnect()`. */
  | { type: 'connect-indication', peerMaxSduSize: number, userData: Uint8Array }
  /** TTP-Connect.confirm: the peer accepted our `connect()`. */
  | { type: 'connect-confirm', peerMaxSduSize: number, userData: Uint8Array }
  /** TTP-Data.indication: received data is waiting (edge: sent when the receive queue stops being empty). */
  | { type: 'readable' }
  /** Every queued SDU has been handed to IrLMP (edge: sent when the send queue empties). */
  | { type: 'writable' }
  /** TTP-Disconnect.indication: the connection is gone. */
  | { type: 'disconnect-indication', reason: TtpDisconnectReason, userData: Uint8Array, lost: LostData }
