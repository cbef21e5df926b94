/*! Two stacks in a virtual room, and small waits on IrCOMM ports, for the IrCOMM tests. */
import { once } from 'node:events'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { IRCOMM_HINTS, type IrcommPort } from '@irdakit/ircomm'

export interface Pair { room: Room, client: IrdaStack, server: IrdaStack }

/** A laptop and an IrCOMM device (hints say IrCOMM) in a virtual room. */
export function pair (seed: number, speeds = [9600, 115200], serverQos: Record<string, unknown> = {}): Pair {
  const room = new Room({ time: 'virtual', seed })
  const client = IrdaStack.create({ port: room.port('laptop', { supportedSpeeds: speeds }), nickname: 'laptop', seed: seed * 10 + 1 })
  const server = IrdaStack.create({ port: room.port('device', { supportedSpeeds: speeds }), nickname: 'device', hints: IRCOMM_HINTS, seed: seed * 10 + 2, qos: { speeds, ...serverQos } })
  return { room, client, server }
}

/** Collects everything a port receives. */
export function collect (port: IrcommPort): { bytes: () => Buffer, length: () => number } {
  const parts: Buffer[] = []
  let n = 0
  port.on('data', (c: Buffer) => { parts.push(c); n += c.length })
  return { bytes: () => Buffer.concat(parts), length: () => n }
}

/** Resolves once `test()` holds, checking after every event the port emits (or on its clock's ticks). */
export async function until (room: Room, test: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  const clock = room.clock
  const start = clock.now()
  while (!test()) {
    if (clock.now() - start > limitMs) throw new Error(`${what}: not within ${limitMs} ms of link time`)
    await new Promise<void>(resolve => { clock.setTimer(clock.now() + 10, resolve) })
  }
}

/** The next `name` event of `port`, with its arguments. */
export async function next<T extends unknown[]> (port: IrcommPort, name: string): Promise<T> {
  return await once(port, name) as T
}

export const bytesOf = (n: number, seed = 1): Buffer => {
  const b = Buffer.alloc(n)
  let x = seed
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24 }
  return b
}
