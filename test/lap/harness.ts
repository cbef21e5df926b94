/*!
 * Stations in an emulated room for the cross-package IrLAP tests: each station is an
 * IrlapStation driven by a StationDriver on a room port, in virtual time.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SeededRandom } from '@irdakit/core'
import { Room, type RoomCapture } from '@irdakit/emulator'
import { IrlapStation, StationDriver, defaultQos, type QosCapabilities, type StationConfig, type LapEvent } from '@irdakit/lap'

export interface RoomStation { name: string, station: IrlapStation, driver: StationDriver }

export interface StationSpec {
  name: string
  deviceAddress?: number
  qos?: QosCapabilities
  nickname?: string
  config?: Partial<StationConfig>
  autoAccept?: boolean
}

export const discoveryInfo = (nickname: string): Uint8Array => new Uint8Array([0x84, 0x04, 0x00, ...new TextEncoder().encode(nickname)])

export function makeRoom (seed = 1): Room { return new Room({ time: 'virtual', seed }) }

export function addStation (room: Room, spec: StationSpec, seed: number): RoomStation {
  const port = room.port(spec.name)
  const station = new IrlapStation({
    deviceAddress: spec.deviceAddress,
    random: new SeededRandom(seed),
    qos: defaultQos({ speeds: [9600, 115200, 4000000], ...spec.qos }),
    discoveryInfo: discoveryInfo(spec.nickname ?? spec.name),
    negotiate: { maxTxDataSize: 2048 },
    ...spec.config,
  }, room.clock.now())
  const driver = new StationDriver(station, port, { autoAccept: spec.autoAccept ?? true })
  return { name: spec.name, station, driver }
}

/** Connects `a` (primary) to `b` (secondary, auto-accepting). */
export async function connect (room: Room, a: RoomStation, b: RoomStation): Promise<void> {
  await room.run(a.driver.connect(b.station.deviceAddress))
  await room.run(b.driver.waitFor(e => e.type === 'connect-confirm', 0))
}

export const dataOf = (events: LapEvent[]): Uint8Array[] => events.flatMap(e => e.type === 'data-indication' ? [e.data] : [])

/** Queues `chunks` at `from` and runs until `to` has delivered them all (or the limit passes). */
export async function transfer (room: Room, from: RoomStation, to: RoomStation, chunks: Uint8Array[], limitMs = 3_600_000): Promise<{ startedAt: number, doneAt: number }> {
  const before = dataOf(to.driver.events).length
  const startedAt = room.clock.now()
  from.driver.act((st, now) => { for (const c of chunks) st.dataRequest(now, c) })
  const done = new Promise<void>(resolve => {
    const check = (): boolean => dataOf(to.driver.events).length - before >= chunks.length
    if (check()) { resolve(); return }
    const off = to.driver.on(() => { if (check()) { off(); resolve() } })
  })
  await room.run(done, { limitMs })
  return { startedAt, doneAt: room.clock.now() }
}

export function randomChunks (n: number, size: number, seed: number): Uint8Array[] {
  const r = new SeededRandom(seed)
  return Array.from({ length: n }, () => Uint8Array.from({ length: size }, () => r.u32() & 0xFF))
}

/** A temporary directory for pcaps, removed by the returned cleanup. */
export function tempDir (): { dir: string, cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'irdakit-lap-'))
  return { dir, cleanup: () => { rmSync(dir, { recursive: true, force: true }) } }
}

export type { RoomCapture }

/** Lets `ms` of virtual time pass. */
export async function sleep (room: Room, ms: number): Promise<void> {
  await room.run(new Promise<void>(resolve => { room.clock.setTimer(room.clock.now() + ms, resolve) }))
}
