/*!
 * Runs a sans-I/O session over one TinyTP connection on the stack's clock: received bytes go to
 * `handle`, packets out go to the socket, events to the owner, and one timer waits for the
 * session's deadline. OBEX sends one packet and waits for the answer, so what TinyTP queues for
 * credit is at most one packet; the OBEX length field does the framing (TinyTP runs without SAR,
 * as AF_IRDA SOCK_STREAM does on Linux and OpenOBEX expects).
 */
import type { Clock, TimerHandle } from '@irdakit/core'
import type { TtpSocket } from '@irdakit/stack'

export interface DrivenSession<E> {
  handle (bytes: Uint8Array, now: number): void
  poll (now: number): void
  nextDeadline (): number | undefined
  pollTransmit (): Uint8Array | undefined
  pollEvent (): E | undefined
}

export class SessionLink<E> {
  private timer: TimerHandle | undefined
  private timerAt: number | undefined
  private pumping = false
  /** Bytes written to / read from TinyTP. */
  bytesOut = 0
  bytesIn = 0

  constructor (
    readonly session: DrivenSession<E>,
    readonly ttp: TtpSocket,
    readonly clock: Clock,
    private readonly onEvent: (e: E) => void,
    private readonly onClose: (error: Error | undefined) => void,
  ) {
    ttp.on('readable', this.onReadable)
    ttp.once('close', this.onTtpClose)
    if (ttp.closed) queueMicrotask(() => { this.onTtpClose(ttp.closeError) })
    else this.onReadable()
  }

  get closed (): boolean { return this.ttp.closed }

  /** Moves packets, events and the timer; call after every call into the session. */
  pump (): void {
    if (this.pumping) return
    this.pumping = true
    try {
      for (let moved = true; moved;) {
        moved = false
        for (let p; (p = this.session.pollTransmit()) !== undefined; moved = true) {
          if (this.ttp.closed) continue
          this.bytesOut += p.length
          this.ttp.write(p)
        }
        for (let e; (e = this.session.pollEvent()) !== undefined; moved = true) this.onEvent(e)
      }
    } finally {
      this.pumping = false
    }
    this.arm()
  }

  /** Ends the TinyTP connection after what is queued has gone. */
  close (): void {
    this.cancelTimer()
    if (!this.ttp.closed) this.ttp.close({ flush: true })
  }

  private readonly onReadable = (): void => {
    for (let b; (b = this.ttp.read()) !== undefined;) {
      this.bytesIn += b.length
      this.session.handle(b, this.clock.now())
    }
    this.pump()
  }

  private readonly onTtpClose = (error: Error | undefined): void => {
    this.cancelTimer()
    this.ttp.off('readable', this.onReadable)
    this.onClose(error)
  }

  private arm (): void {
    const at = this.session.nextDeadline()
    if (at === this.timerAt) return
    this.cancelTimer()
    if (at === undefined || this.ttp.closed) return
    this.timerAt = at
    this.timer = this.clock.setTimer(at, () => {
      this.timer = undefined
      this.timerAt = undefined
      this.session.poll(this.clock.now())
      this.pump()
    })
  }

  private cancelTimer (): void {
    this.timer?.cancel()
    this.timer = undefined
    this.timerAt = undefined
  }
}
