/*!
 * The IrLMP service TinyTP sits on (IrLMP 1.1, the LM-MUX service primitives), reduced to
 * what one TinyTP connection needs. `@irdakit/lmp` and the stack adapt to these types: the
 * driver feeds {@link LmIndication}s into a `TtpConnection` and drains {@link LmRequest}s out
 * of it, in order, onto the LSAP connection the TTP connection is bound to.
 *
 * Addressing (device address, LSAP selectors) is not here: a `TtpConnection` is bound to one
 * LSAP connection by whoever created it, so requests carry only TTP bytes.
 *
 * Contract for the driver:
 * - Deliver indications in the order IrLMP produced them; IrLMP (over IrLAP) is reliable and
 *   ordered, so TinyTP has no retransmission and no sequence numbers.
 * - `maxDataSize` is the largest LM-Data user data (bytes) the LSAP connection carries: the
 *   negotiated IrLAP data size minus the IrLAP and IrLMP headers. TinyTP sends at most
 *   `maxDataSize - 1` bytes of SDU per data PDU (one header byte).
 * - Send every request, in order. A `connect-request` starts the LSAP connection; a
 *   `disconnect-request` ends it with IrLMP reason 0x01 "User Request".
 * - A data indication hands its bytes over: TinyTP delivers views of them to its user without
 *   a copy, so the driver must not change them afterwards (the stack passes IrLAP's own copy
 *   of each received frame, which nothing else holds).
 */

/** Bytes of IrLMP header in front of a data PDU (IrLMP 1.1 section 4.2: DLSAP, SLSAP). */
export const LM_HEADROOM = 2

/** IrLMP disconnect reasons (IrLMP 1.1, reason codes of the Disconnect LM-PDU). */
export const LmDisconnectReason = {
  USER_REQUEST: 0x01,
  UNEXPECTED_IRLAP_DISCONNECT: 0x02,
  FAILED_TO_ESTABLISH_IRLAP: 0x03,
  IRLAP_RESET: 0x04,
  LINK_MANAGEMENT_INITIATED: 0x05,
  DATA_ON_DISCONNECTED_LSAP: 0x06,
  NON_RESPONSIVE_CLIENT: 0x07,
  NO_AVAILABLE_CLIENT: 0x08,
  CONNECTION_HALF_OPEN: 0x09,
  ILLEGAL_SOURCE_ADDRESS: 0x0A,
  UNSPECIFIED: 0xFF,
} as const

/** An IrLMP disconnect reason byte; values outside {@link LmDisconnectReason} are passed through. */
export type LmDisconnectReasonCode = number

/** Primitives IrLMP delivers to TinyTP. */
export type LmIndication =
  /**
   * LM-Connect.indication: the peer opened an LSAP connection; `userData` is its TTP connect PDU.
   * `lapWindow`, when known, is the IrLAP window the peer may send us (frames per turn).
   */
  | { type: 'connect-indication', userData: Uint8Array, maxDataSize: number, lapWindow?: number }
  /** LM-Connect.confirm: the peer accepted our LM-Connect.request; `userData` is its TTP connect PDU. */
  | { type: 'connect-confirm', userData: Uint8Array, maxDataSize: number, lapWindow?: number }
  /** LM-Data.indication: one TTP data PDU. */
  | { type: 'data-indication', pdu: Uint8Array }
  /** LM-Disconnect.indication: the LSAP connection is gone (peer request, link loss...). */
  | { type: 'disconnect-indication', reason: LmDisconnectReasonCode, userData: Uint8Array }

/** Primitives TinyTP asks IrLMP to perform. */
export type LmRequest =
  /** LM-Connect.request carrying our TTP connect PDU. */
  | { type: 'connect-request', userData: Uint8Array }
  /** LM-Connect.response accepting an indication, carrying our TTP connect PDU. */
  | { type: 'connect-response', userData: Uint8Array }
  /**
   * LM-Data.request carrying one TTP data PDU (at most `maxDataSize` bytes). `headroom`, when
   * set, is `pdu` with {@link LM_HEADROOM} free bytes in front, where IrLMP may write its header
   * instead of copying the PDU.
   */
  | { type: 'data-request', pdu: Uint8Array, headroom?: Uint8Array }
  /**
   * LM-Disconnect.request; `userData` is the TTP user's disconnect data, sent as is. `reason`
   * is set when TinyTP itself cuts the connection for a protocol violation (then 0xFF, so the
   * peer sees a reset, not an orderly close); absent means 0x01 "User Request".
   */
  | { type: 'disconnect-request', userData: Uint8Array, reason?: LmDisconnectReasonCode }
