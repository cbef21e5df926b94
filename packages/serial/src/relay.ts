/*!
 * A frame relay between two Ports: what one receives, the other sends. With a serial Port on one
 * side and a room station on the other it is a plain IR transceiver bridging a tty into an
 * emulated room (the pty end-to-end tests use it that way).
 */
import type { Port } from '@irdakit/core'

/** What {@link relayFrames} has forwarded. */
export interface RelayStats { aToB: number, bToA: number, dropped: number }

/**
 * Forwards every good frame received on `a` to `b` and back. Frames for a closed side are counted
 * as dropped, never thrown. Returns a function that stops the relay, and its counters.
 */
export function relayFrames (a: Port, b: Port): { stop: () => void, stats: RelayStats } {
  const stats: RelayStats = { aToB: 0, bToA: 0, dropped: 0 }
  const forward = (to: Port, count: 'aToB' | 'bToA') => (ev: Parameters<Parameters<Port['listen']>[0]>[0]): void => {
    if (ev.type !== 'frame') return
    try {
      to.send(ev.frame)
      stats[count]++
    } catch {
      stats.dropped++
    }
  }
  const offA = a.listen(forward(b, 'aToB'))
  const offB = b.listen(forward(a, 'bToA'))
  return { stop: () => { offA(); offB() }, stats }
}
