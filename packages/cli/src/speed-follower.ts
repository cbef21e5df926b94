/*!
 * Lets a passive sniffer follow an IrLAP connection's speed change. Nobody tells a sniffer the
 * negotiated speed; it has to read it off the medium like the primary does: the SNRM carries
 * the primary's QoS, the UA the secondary's, and both stations switch to the highest common
 * baud rate right after the UA (IrLAP 1.1 section 6.6). Back to the 9600 bit/s contention speed
 * when the link ends: DISC answered by UA or DM, a DM to the SNRM, or no good frame for the
 * negotiated link-disconnect time. Sans-I/O: the caller feeds frames and polls timers.
 */
import { negotiate, parseFrame, QOS_FALLBACK_BITS, type QosFields } from '@irdakit/lap'

/** The IrDA contention speed: where every link starts and ends. */
export const CONTENTION_BPS = 9600

export interface SpeedChange {
  /** The speed the medium runs at from now on. */
  bps: number
  reason: 'connected' | 'disconnected' | 'link-lost'
  /** False when this port cannot run at `bps`: the sniffer stays where it was and sees noise until the link ends. */
  follow: boolean
}

interface Link { caddr: number, bps: number, disconnectMs: number, lastGoodAt: number, discSent: boolean }

export class SpeedFollower {
  /** The speed the sniffer listens at. */
  speed: number
  private offer: { connAddr: number, qos: QosFields } | undefined
  private link: Link | undefined

  /** `speed`: where the sniffer starts listening (a link may already run above 9600). */
  constructor (private readonly supportedSpeeds: readonly number[], speed = CONTENTION_BPS) {
    this.speed = speed
  }

  /** Feeds one good frame seen at `now` (ms). Returns the change it calls for, if any. */
  frame (now: number, bytes: Uint8Array): SpeedChange | undefined {
    const r = parseFrame(bytes)
    if (!r.ok) return undefined
    const f = r.value
    if (this.link !== undefined) this.link.lastGoodAt = now
    if (f.kind === 'SNRM' && f.command && f.info !== undefined) {
      this.offer = { connAddr: f.info.connAddr, qos: f.info.qos ?? QOS_FALLBACK_BITS }
      return undefined
    }
    if (f.kind === 'UA' && !f.command && this.offer !== undefined && f.caddr === this.offer.connAddr && f.info !== undefined) {
      const agreed = negotiate(this.offer.qos, f.info.qos ?? QOS_FALLBACK_BITS)
      this.offer = undefined
      if (!agreed.ok) return undefined
      this.link = { caddr: f.caddr, bps: agreed.value.baudRate, disconnectMs: agreed.value.linkDisconnectMs, lastGoodAt: now, discSent: false }
      return this.switchTo(agreed.value.baudRate, 'connected')
    }
    if (f.kind === 'DM' && !f.command && this.offer !== undefined && f.caddr === this.offer.connAddr) {
      this.offer = undefined // the SNRM was refused: the link never came up
      return undefined
    }
    const link = this.link
    if (link === undefined || f.caddr !== link.caddr) return undefined
    if (f.kind === 'DISC' && f.command) link.discSent = true
    if ((f.kind === 'UA' && !f.command && link.discSent) || (f.kind === 'DM' && !f.command)) return this.linkEnded('disconnected')
    return undefined
  }

  /** When {@link poll} has work: the link-disconnect time after the last good frame. */
  nextDeadline (): number | undefined {
    return this.link === undefined ? undefined : this.link.lastGoodAt + this.link.disconnectMs
  }

  /** Ends a link that went silent for its whole link-disconnect time, as both stations do. */
  poll (now: number): SpeedChange | undefined {
    const at = this.nextDeadline()
    if (at === undefined || now < at) return undefined
    return this.linkEnded('link-lost')
  }

  private linkEnded (reason: 'disconnected' | 'link-lost'): SpeedChange | undefined {
    this.link = undefined
    return this.switchTo(CONTENTION_BPS, reason)
  }

  private switchTo (bps: number, reason: SpeedChange['reason']): SpeedChange | undefined {
    if (bps === this.speed) return undefined
    const follow = this.supportedSpeeds.includes(bps)
    if (follow) this.speed = bps
    return { bps, reason, follow }
  }
}
