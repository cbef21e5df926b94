/*!
 * What the client and server sessions share: the outbox of packets, the event queue, and the
 * negotiated packet size. Sessions are sans-I/O: bytes come in through `handle(bytes, now)`,
 * packets go out through `pollTransmit()`, events through `pollEvent()`, and the one timer is a
 * deadline from `nextDeadline()` that the driver passes back to `poll(now)`.
 */
import { IRDA_MAX_PACKET, MAX_MAX_PACKET, MIN_MAX_PACKET } from './constants.js'
import { ObexStateError } from './errors.js'

export interface SessionOptions {
  /** The largest packet this side accepts, announced in Connect. Default 7 x 2039 (IrDA). */
  maxPacket?: number
  /** How long to wait for the peer's next packet in an exchange. Default 30 s. */
  timeoutMs?: number
}

export const DEFAULT_TIMEOUT_MS = 30_000

export function checkMaxPacket (n: number): number {
  if (!Number.isInteger(n) || n < MIN_MAX_PACKET || n > MAX_MAX_PACKET) throw new ObexStateError(`maxPacket must be ${MIN_MAX_PACKET}..${MAX_MAX_PACKET}, got ${n}`)
  return n
}

export abstract class SessionBase<E> {
  /** Our receive limit (announced in Connect). */
  readonly maxPacket: number
  readonly timeoutMs: number
  /** The most we send in one packet: OBEX's minimum until Connect, then min(peer's limit, ours). */
  sendMax = MIN_MAX_PACKET
  protected deadline: number | undefined
  private readonly outbox: Uint8Array[] = []
  private readonly events: E[] = []

  constructor (opts: SessionOptions) {
    this.maxPacket = checkMaxPacket(opts.maxPacket ?? IRDA_MAX_PACKET)
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  }

  /** The next packet to write to the transport, in order. */
  pollTransmit (): Uint8Array | undefined { return this.outbox.shift() }
  /** The next event for the application. */
  pollEvent (): E | undefined { return this.events.shift() }
  /** When `poll` has work (a request timing out), or undefined. */
  nextDeadline (): number | undefined { return this.deadline }

  protected send (packet: Uint8Array): void { this.outbox.push(packet) }
  protected emit (e: E): void { this.events.push(e) }
}
