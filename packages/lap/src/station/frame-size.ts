/*!
 * Adaptive I frame size. The negotiated data size is a maximum, not a must (IrLAP 1.1 section
 * 6.6.4): on a noisy link a station does better sending smaller frames, since a frame is lost
 * whole when any of its bits is hit. The sender learns the medium's byte error rate from its own
 * acknowledgements, deterministically, and advises the layer above (which cuts the data) how big
 * to make the next frames; when the errors stop, the estimate decays and the size grows back.
 *
 * The estimate: every I frame of our turn, up to and including the first one the peer's
 * checkpoint says is missing, is an observation: delivered, or lost. Frames after the first
 * missing one say nothing (the peer may have dropped them for go-back-N), so they are not
 * counted. A frame of n wire bytes is lost with probability 1 - (1 - q)^n, so from the share of
 * frames lost and their mean size, q = -ln(1 - share) / n. The sums decay with each byte
 * observed (memory {@link MEMORY_BYTES}) and start from {@link PRIOR_BYTES} of clean frames, so
 * one early loss does not halve the frames.
 *
 * A new link starts at the negotiated size: a clean link (the usual case) fills its frames from
 * the first one. The price is on a link that is bad from the start: the frames handed down
 * before the first checkpoint can no longer be cut, and at BER 3e-4 a 2 KB one takes about a
 * hundred tries.
 */

/** Wire bytes after which old observations count 1/e. */
export const MEMORY_BYTES = 16 * 1024
/** Clean exposure assumed at link start. */
export const PRIOR_BYTES = 16 * 1024
/** Smallest data size we advise: IrLAP's smallest (64 bytes). */
export const MIN_ADVISED_DATA_SIZE = 64

/** Loss share beyond which the estimate stops growing (all lost says only "very bad"). */
const MAX_LOSS_SHARE = 0.95

export class FrameSizer {
  /** Decayed counts: frames observed, frames lost, wire bytes of the frames observed. */
  private frames = 0
  private losses = 0
  private bytes = 0

  constructor () { this.reset() }

  /** Forgets everything (a new link). */
  reset (): void {
    this.frames = 1
    this.losses = 0
    this.bytes = PRIOR_BYTES
  }

  /** One I frame of `wireBytes` was delivered (`lost` false) or was the first one lost in its turn. */
  observe (wireBytes: number, lost: boolean): void {
    const keep = Math.exp(-wireBytes / MEMORY_BYTES)
    this.frames = this.frames * keep + 1
    this.losses = this.losses * keep + (lost ? 1 : 0)
    this.bytes = this.bytes * keep + wireBytes
  }

  /** Estimated probability that any one wire byte is hit. */
  get byteErrorRate (): number {
    const share = Math.min(MAX_LOSS_SHARE, this.losses / this.frames)
    return -Math.log1p(-share) / (this.bytes / this.frames)
  }

  /**
   * The data size that carries the most data per byte of air time, at most `max`: with `h`
   * bytes of cost per frame besides its data (framing, XBOFs, a share of the turnaround), a
   * frame of `L` data bytes succeeds with probability exp(-q (L + h)) and its efficiency
   * L / (L + h) exp(-q (L + h)) peaks where L^2 + hL = h / q.
   */
  dataSize (max: number, perFrameCost: number): number {
    const q = this.byteErrorRate
    const h = perFrameCost
    const best = q > 0 ? Math.floor((-h + Math.sqrt(h * h + 4 * h / q)) / 2) : max
    return Math.max(Math.min(max, MIN_ADVISED_DATA_SIZE), Math.min(max, best))
  }

  /**
   * Whether to close a turn with a separate short poll (RR with P/F) instead of setting P/F on
   * its last I frame: when that frame is lost, the peer never sees the bit and the line stays
   * silent for the whole F timer. Worth it when the expected silence exceeds the poll's cost.
   */
  pollApart (lastFrameWireBytes: number, silenceBytes: number, pollWireBytes: number): boolean {
    const q = this.byteErrorRate
    return (1 - Math.exp(-q * lastFrameWireBytes)) * silenceBytes > pollWireBytes
  }
}
