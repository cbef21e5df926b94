/*! Shared set-up for the cross-package serial tests. */
import type { Port, PortEvent } from '@irdakit/core'
import type { TtpSocket } from '@irdakit/stack'

/** Resolves with the next event of `type` on `port` (the listener is removed afterwards). */
export async function nextEvent<T extends PortEvent['type']> (port: Port, type: T): Promise<Extract<PortEvent, { type: T }>> {
  return await new Promise(resolve => {
    const off = port.listen(ev => {
      if (ev.type === type) { off(); resolve(ev as Extract<PortEvent, { type: T }>) }
    })
  })
}

/** Every event `port` reports from now on. */
export function record (port: Port): PortEvent[] {
  const events: PortEvent[] = []
  port.listen(ev => events.push(ev))
  return events
}

/** A recognisable test frame: address, control, `n - 2` bytes of information. */
export function testFrame (n: number, seed = 0): Uint8Array {
  const f = Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + 5) & 0xFF)
  f[0] = 0xFF; f[1] = 0x93
  return f
}

/** Frames out of `events`. */
export const framesOf = (events: PortEvent[]): Uint8Array[] =>
  events.flatMap(e => e.type === 'frame' ? [e.frame] : [])

export { readN, echo } from '../helpers/ttp.js'
