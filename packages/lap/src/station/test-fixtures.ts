/*! Shared helpers for the station's unit tests (excluded from the build). */
import { SeededRandom } from '@irdakit/core'
import { BROADCAST_CADDR, BROADCAST_DEVICE, type LapFrame, type QosFields } from '../frame.js'
import { defaultQos } from '../qos/index.js'
import { FrameTester, stationTarget } from '../tester/index.js'
import { IrlapStation } from './station.js'
import type { StationConfig } from './config.js'

export const DUT = 0x11223344
export const PEER = 0xA1B2C3D4
export const CONN = 0x42

export function station (cfg: Partial<StationConfig> = {}, seed = 1): IrlapStation {
  return new IrlapStation({ deviceAddress: DUT, random: new SeededRandom(seed), discoveryInfo: new Uint8Array([0x04, 0x00, 0x44, 0x55, 0x54]), ...cfg })
}

export function tester (st: IrlapStation, start = 0): FrameTester {
  return new FrameTester(stationTarget(st), { start })
}

export const xidCmd = (slot: number, slots: 1 | 6 | 8 | 16 = 6, extra: { source?: number, destination?: number, newAddress?: boolean, info?: Uint8Array } = {}): LapFrame => ({
  kind: 'XID',
  caddr: BROADCAST_CADDR,
  command: true,
  pf: true,
  info: { format: 1, source: extra.source ?? PEER, destination: extra.destination ?? BROADCAST_DEVICE, slots, newAddress: extra.newAddress ?? false, slot, version: 0, ...(extra.info !== undefined ? { discoveryInfo: extra.info } : {}) },
})

export const xidRsp = (source: number, destination: number, slot: number, slots: 1 | 6 | 8 | 16 = 6): LapFrame => ({
  kind: 'XID', caddr: BROADCAST_CADDR, command: false, pf: true,
  info: { format: 1, source, destination, slots, newAddress: false, slot, version: 0, discoveryInfo: new Uint8Array([0x04, 0x00, 0x41]) },
})

export const peerQos = (opts: Parameters<typeof defaultQos>[0] = {}): QosFields => defaultQos({ speeds: [9600, 115200], ...opts })

export const snrm = (qos: QosFields = peerQos(), conn = CONN, dest = DUT): LapFrame => ({
  kind: 'SNRM', caddr: BROADCAST_CADDR, command: true, pf: true, info: { source: PEER, destination: dest, connAddr: conn, qos },
})

export const ua = (qos: QosFields = peerQos(), conn = CONN): LapFrame => ({
  kind: 'UA', caddr: conn, command: false, pf: true, info: { source: PEER, destination: DUT, qos },
})

export const cmd = (kind: 'RR' | 'RNR' | 'REJ' | 'SREJ', nr: number, pf = true, conn = CONN): LapFrame => ({ kind, caddr: conn, command: true, pf, nr })
export const rsp = (kind: 'RR' | 'RNR' | 'REJ' | 'SREJ', nr: number, pf = true, conn = CONN): LapFrame => ({ kind, caddr: conn, command: false, pf, nr })
export const iCmd = (ns: number, nr: number, info: Uint8Array, pf = false, conn = CONN): LapFrame => ({ kind: 'I', caddr: conn, command: true, pf, ns, nr, info })
export const iRsp = (ns: number, nr: number, info: Uint8Array, pf = false, conn = CONN): LapFrame => ({ kind: 'I', caddr: conn, command: false, pf, ns, nr, info })
export const u = (kind: 'DISC' | 'RD' | 'DM' | 'UA', command: boolean, conn = CONN): LapFrame => ({ kind, caddr: conn, command, pf: true } as LapFrame)

export const bytes = (n: number, seed = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + 3) & 0xFF)

/** A secondary station connected to the tester (the tester is the primary): SNRM, connect response, UA seen. */
export function connectedSecondary (cfg: Partial<StationConfig> = {}, qos: QosFields = peerQos()): { st: IrlapStation, t: FrameTester } {
  const st = station(cfg)
  const t = tester(st)
  t.send(snrm(qos))
  t.expectEvent({ type: 'connect-indication', deviceAddress: PEER })
  t.do(now => { st.connectResponse(now) })
  t.expectFrame({ kind: 'UA', caddr: CONN, command: false, pf: true })
  t.expectEvent({ type: 'connect-confirm' })
  return { st, t }
}

/** A primary station connected to the tester (the tester is the secondary): up to its first poll at the new speed. */
export function connectedPrimary (cfg: Partial<StationConfig> = {}, qos: QosFields = peerQos()): { st: IrlapStation, t: FrameTester, conn: number } {
  const st = station(cfg)
  const t = tester(st)
  t.do(now => { st.connectRequest(now, { deviceAddress: PEER }) })
  const s = t.expectFrame({ kind: 'SNRM' })
  const conn = (s.frame as LapFrame & { kind: 'SNRM' }).info?.connAddr as number
  t.send({ kind: 'UA', caddr: conn, command: false, pf: true, info: { source: PEER, destination: DUT, qos } })
  t.expectEvent({ type: 'connect-confirm' })
  return { st, t, conn }
}
