/** Counters of one TtpConnection since it was created. */
export interface TtpStats {
  /** Data PDUs with data sent (each used one credit). */
  txDataPdus: number
  /** Dataless flow PDUs sent (credit only). */
  txFlowPdus: number
  /** Credit granted to the peer, in all headers sent. */
  txCreditGranted: number
  /** SDUs accepted by `send()` and bytes in them. */
  txSdus: number
  txBytes: number
  rxDataPdus: number
  rxFlowPdus: number
  /** Credit the peer granted us. */
  rxCreditGranted: number
  /** Complete SDUs received (including truncated ones) and bytes delivered in them. */
  rxSdus: number
  rxBytes: number
  /** SDUs larger than our MaxSduSize, delivered truncated, and the bytes cut off. */
  rxSdusTruncated: number
  rxBytesDiscarded: number
  /** Data PDUs the peer sent without credit (a protocol violation; the data is kept, up to a window past its credit). */
  rxCreditOverruns: number
  /** PDUs that did not decode (dropped). */
  rxMalformed: number
  /** Indications that made no sense in the current state (dropped). */
  rxUnexpected: number
}

export function emptyTtpStats (): TtpStats {
  return {
    txDataPdus: 0, txFlowPdus: 0, txCreditGranted: 0, txSdus: 0, txBytes: 0,
    rxDataPdus: 0, rxFlowPdus: 0, rxCreditGranted: 0, rxSdus: 0, rxBytes: 0,
    rxSdusTruncated: 0, rxBytesDiscarded: 0, rxCreditOverruns: 0, rxMalformed: 0, rxUnexpected: 0,
  }
}
