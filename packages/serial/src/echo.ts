/*!
 * Echo suppression. Some dongles (and bare transceivers that hear their own LED) send back what
 * the host transmits. The port registers every byte it writes; received bytes that match the
 * expected echo, in order, are dropped. The first mismatch means the echo was lost or damaged:
 * the rest of the expectation is forgotten and the bytes pass on as real reception.
 */

/** Drops the host's own transmission from the receive stream. */
export class EchoFilter {
  private expected = new Uint8Array(0)
  private at = 0
  /** Echo bytes dropped so far. */
  suppressed = 0

  /** Bytes just written: expect them back. */
  expect (bytes: Uint8Array): void {
    const rest = this.expected.subarray(this.at)
    const next = new Uint8Array(rest.length + bytes.length)
    next.set(rest)
    next.set(bytes, rest.length)
    this.expected = next
    this.at = 0
  }

  /** True while some echo is still expected. */
  get pending (): boolean { return this.at < this.expected.length }

  /** Returns the part of `chunk` that is not our own echo. */
  filter (chunk: Uint8Array): Uint8Array {
    let i = 0
    while (i < chunk.length && this.at < this.expected.length && chunk[i] === this.expected[this.at]) { i++; this.at++ }
    this.suppressed += i
    if (i < chunk.length && this.pending) this.forget()
    return chunk.subarray(i)
  }

  /** Stops expecting anything (after a speed change, a reset). */
  forget (): void {
    this.expected = new Uint8Array(0)
    this.at = 0
  }
}
