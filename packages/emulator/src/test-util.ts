/*! Helpers for the emulator's own tests (excluded from the build). */
import type { Port, PortEvent } from '@irdakit/core'
import type { Room, TapRecord } from './room.js'

/** Records every event a port reports. */
export function record (port: Port): PortEvent[] {
  const events: PortEvent[] = []
  port.listen(ev => { events.push(ev) })
  return events
}

/** Records every transmission the room reports. */
export function recordTap (room: Room): TapRecord[] {
  const records: TapRecord[] = []
  room.tap(r => { records.push(r) })
  return records
}

/** Frames among `events`, as hex, with their times. */
export const framesOf = (events: PortEvent[]): Array<{ at: number, hex: string }> =>
  events.flatMap(e => e.type === 'frame' ? [{ at: e.at, hex: hex(e.frame) }] : [])

export const errorsOf = (events: PortEvent[]): string[] =>
  events.flatMap(e => e.type === 'rx-error' ? [e.reason] : [])

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** An IrLAP-shaped frame: UI command to the broadcast address with `payload`. */
export function uiFrame (payload: Uint8Array | number[]): Uint8Array {
  const p = Uint8Array.from(payload)
  const f = new Uint8Array(2 + p.length)
  f[0] = 0xFF; f[1] = 0x13
  f.set(p, 2)
  return f
}

/** A promise that resolves at room time `at`. */
export const at = async (room: Room, t: number): Promise<void> =>
  await new Promise(resolve => room.clock.setTimer(t, resolve))

/** Resolves when the port reports its queue drained. */
export const txDone = async (port: Port): Promise<number> => await new Promise(resolve => {
  const off = port.listen(ev => { if (ev.type === 'tx-done') { off(); resolve(ev.at) } })
})
