/*!
 * Credit accounting (TinyTP 1.1 flow control). Credit counts data PDUs: each data PDU with data
 * consumes one credit from its sender; a dataless flow PDU consumes none. Credit only ever
 * comes from the receiver, so the receiver alone decides how much it buffers.
 *
 * Receive side, with a window of W PDUs, at every moment:
 *
 *     remote + held + available = W
 *
 * - `remote`: credit the peer holds (granted and not yet used by a data PDU that arrived);
 * - `held`: data PDUs that arrived and whose data the application has not consumed yet;
 * - `available`: credit we may grant and have not granted yet.
 *
 * The application's reads release held PDUs, which makes credit available; not reading keeps
 * it held, so the peer runs out of credit and stops. Available credit leaves on every data PDU
 * we send (up to 127 per header). When no data PDU is leaving, a dataless flow PDU carries it
 * (see {@link RxCredit.wantsFlowPdu}) in two cases:
 * - half the window (rounded up) is available: never a deadlock, because a peer with no credit
 *   means `held + available = W`, so either the application can read (it holds complete data)
 *   or half the window is already available;
 * - the peer's credit fell to two IrLAP windows or less (when W is more than two of them):
 *   so a   sender always has the credit to fill its next IrLAP window, even when a grant arrives a
 *   turn late (made while the window's last frame was handled, after our reply was built; or
 *   reaching a sender whose next turn was built from the frames it already held). A grant
 *   waits for half an IrLAP window of credit, or for what W leaves above the two windows if
 *   that is less: a few flow PDUs per window, even when the application reads slowly.
 */
import { MAX_CREDIT_FIELD } from './wire/pdu.js'

/** The receiver's ledger for one connection. */
export class RxCredit {
  private remoteCredit = 0
  private heldPdus = 0

  /** @param window receive window in data PDUs (at least 1). */
  constructor (readonly window: number) {}

  /** Credit the peer holds. */
  get remote (): number { return this.remoteCredit }
  /** Data PDUs received and not yet released by the application. */
  get held (): number { return this.heldPdus }
  /** Credit we may grant now. Never negative, even after a peer overran its credit. */
  get available (): number { return Math.max(0, this.window - this.remoteCredit - this.heldPdus) }

  /** Takes the credit for one outgoing header (connect or data PDU): at most 127. */
  grant (): number {
    const n = Math.min(this.available, MAX_CREDIT_FIELD)
    this.remoteCredit += n
    return n
  }

  /**
   * A data PDU with data arrived. Returns false when the peer had no credit for it (a protocol
   * violation); the PDU is still accounted as held, so nothing is lost and the ledger heals as
   * the application reads.
   */
  dataArrived (): boolean {
    this.heldPdus++
    if (this.remoteCredit === 0) return false
    this.remoteCredit--
    return true
  }

  /** The application consumed the data of `n` held PDUs. */
  release (n = 1): void {
    this.heldPdus = Math.max(0, this.heldPdus - n)
  }

  /**
   * The rule for a dataless flow PDU when no data PDU is leaving: half the window is available,
   * or the peer's credit no longer covers two IrLAP windows of `lapWindow` frames (0: unknown).
   */
  wantsFlowPdu (lapWindow = 0): boolean {
    const a = this.available
    if (a === 0) return false
    if (a >= Math.ceil(this.window / 2)) return true
    const twoWindows = 2 * lapWindow
    if (lapWindow <= 0 || this.window <= twoWindows) return false
    return this.remoteCredit <= twoWindows && a >= Math.min(Math.ceil(lapWindow / 2), this.window - twoWindows)
  }
}

/** The sender's side: credit granted by the peer and not yet used. */
export class TxCredit {
  private credit = 0

  get value (): number { return this.credit }

  add (n: number): void { this.credit += n }

  /** Uses one credit for a data PDU. Callers check {@link TxCredit.value} first. */
  use (): void {
    if (this.credit <= 0) throw new Error('internal: data PDU without credit')
    this.credit--
  }
}
