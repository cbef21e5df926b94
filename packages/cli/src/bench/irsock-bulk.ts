/*!
 * IrSock one-way bulk with default settings, as a user sees it (issue 17): two stacks in an
 * emulated room (virtual time), discovery and connect done, then one side writes `bytes` in
 * writes of `writeSize` through the Node stream API or the Winsock API while the other reads.
 *
 * Measured: from the first data frame on the air to the moment the reader has the last byte.
 * Ideal: `idealBulkMs` (packages/cli/src/ideal-schedule.ts; docs/benchmarks.md, "The ideal
 * schedule") of this payload in the best frames the negotiated link allows: every I frame full
 * (IrLAP data size, IrLMP and TinyTP headers included), every window full, the receiver's RR
 * and both minimum turnarounds between windows. Small writes or half-empty windows therefore
 * show up in the ratio. Not a test:
 *   node --import tsx --conditions=irdakit-source packages/cli/src/bench/irsock-bulk.ts
 */
import { once } from 'node:events'
import { pathToFileURL } from 'node:url'
import { SeededRandom } from '@irdakit/core'
import { Room } from '@irdakit/emulator'
import { createIrSock, connect, createServer } from '@irdakit/irsock'
import { AF_IRDA, deviceIdFromAddress, encodeSockaddrIrda } from '@irdakit/irsock/af_irda'
import { SOCK_STREAM } from '@irdakit/irsock/winsock'
import { SPEEDS } from '@irdakit/phy'
import { IrdaStack } from '@irdakit/stack'
import { idealBulkMs, type AirFrame } from '../ideal-schedule.js'
import type { Bench, BenchRow } from './row.js'

export type BulkApi = 'node' | 'winsock'
export interface BulkCase { bps: number, writeSize: number, api: BulkApi, bytes: number }
export interface BulkResult extends BulkCase {
  idealMs: number
  measuredMs: number
  ratio: number
  /** The negotiated link, in words. */
  link: string
  /** I frames the sender sent per turn, in order (the credit pattern). */
  windows: number[]
  /** Payload bytes per data I frame the sender sent, in order. */
  frameBytes: number[]
}

const SERVICE = 'Bulk'
/** LM-PDU header (DLSAP, SLSAP) plus the TinyTP data PDU header (credit). */
const HEADERS = 3

/** One transfer; every byte checked at the receiver. */
export async function bulk (c: BulkCase): Promise<BulkResult> {
  const room = new Room({ time: 'virtual', seed: 1 })
  const air: AirFrame[] = []
  room.tap(r => air.push({ sender: r.sender, start: r.start, end: r.end, frame: r.frame }))
  const speeds = SPEEDS.filter(s => s <= c.bps)
  const a = IrdaStack.create({ port: room.port('A', { supportedSpeeds: speeds }), nickname: 'sender', seed: 11 })
  const b = IrdaStack.create({ port: room.port('B', { supportedSpeeds: speeds }), nickname: 'receiver', seed: 12 })
  const random = new SeededRandom(c.bytes + c.writeSize)
  const data = Uint8Array.from({ length: c.bytes }, () => random.u32() & 0xFF)

  let t0 = 0
  let doneAt = 0
  const work = c.api === 'node' ? nodeApi(a, b, data, c.writeSize, room, t => { t0 = t }) : winsockApi(a, b, data, c.writeSize, room, t => { t0 = t })
  const received = await room.run(work)
  doneAt = room.clock.now()
  if (received.length !== data.length || !received.every((x, i) => x === data[i])) throw new Error(`irsock-bulk: the receiver got ${received.length} bytes, not the ${data.length} sent`)

  const link = a.station.link
  const peer = b.station.link
  if (link === undefined || peer === undefined) throw new Error('irsock-bulk: the link went down')
  const sent = air.filter(f => f.start >= t0)
  const dataFrames = sent.filter(f => f.sender === 'A' && isI(f.frame) && f.frame.length > 2 + HEADERS)
  const first = dataFrames[0]
  if (first === undefined) throw new Error('irsock-bulk: no data frame seen')
  const measuredMs = doneAt - first.start
  const idealMs = idealBulkMs(bestInfos(first.frame, data, link.txDataSize), {
    bps: c.bps, window: link.txWindowSize, xbofs: link.txAdditionalBofs, peerXbofs: peer.txAdditionalBofs, mttMs: link.txMinTurnaroundMs, peerMttMs: peer.txMinTurnaroundMs,
  })
  await room.run(Promise.all([a.close(), b.close()]))
  await room.close()
  return {
    ...c,
    idealMs,
    measuredMs,
    ratio: idealMs / measuredMs,
    link: `${link.baudRate} b/s, data ${link.txDataSize}, window ${link.txWindowSize}, mtt ${link.txMinTurnaroundMs}/${peer.txMinTurnaroundMs} ms`,
    windows: turns(sent.filter(f => f.start >= first.start)),
    frameBytes: dataFrames.map(f => f.frame.length - 2 - HEADERS),
  }
}

const isI = (frame: Uint8Array): boolean => (frame[1] & 0x01) === 0

/** I frames the sender sent in each of its turns. */
function turns (frames: AirFrame[]): number[] {
  const out: number[] = []
  let inTurn = false
  for (const f of frames) {
    if (f.sender !== 'A') { inTurn = false; continue }
    if (!inTurn) { out.push(0); inTurn = true }
    if (isI(f.frame)) out[out.length - 1]++
  }
  return out.filter(n => n > 0)
}

/**
 * The information fields of the best schedule: the payload in full I frames, each with the
 * first real data frame's IrLMP header and a TinyTP header (credit 0).
 */
function bestInfos (template: Uint8Array, data: Uint8Array, dataSize: number): Uint8Array[] {
  const lmHeader = template.subarray(2, 4)
  const per = dataSize - HEADERS
  const infos: Uint8Array[] = []
  for (let at = 0; at < data.length; at += per) {
    const chunk = data.subarray(at, at + per)
    const info = new Uint8Array(HEADERS + chunk.length)
    info.set(lmHeader, 0)
    info.set(chunk, HEADERS)
    infos.push(info)
  }
  return infos
}

type Started = (t: number) => void

async function nodeApi (a: IrdaStack, b: IrdaStack, data: Uint8Array, writeSize: number, room: Room, started: Started): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  let got = 0
  const received = new Promise<Uint8Array>((resolve, reject) => {
    const server = createServer(b, sock => {
      sock.on('error', reject)
      sock.on('data', (d: Buffer) => {
        chunks.push(d)
        got += d.length
        if (got >= data.length) resolve(Buffer.concat(chunks))
      })
    })
    server.listen({ service: SERVICE })
  })
  const sock = connect(a, { service: SERVICE, deviceAddress: b.deviceAddress })
  await once(sock, 'connect')
  started(room.clock.now())
  for (let at = 0; at < data.length; at += writeSize) {
    if (!sock.write(data.subarray(at, at + writeSize))) await once(sock, 'drain')
  }
  const out = await received
  sock.destroy()
  return out
}

async function winsockApi (a: IrdaStack, b: IrdaStack, data: Uint8Array, writeSize: number, room: Room, started: Started): Promise<Uint8Array> {
  const A = createIrSock(a)
  const B = createIrSock(b)
  A.WSAStartup(0x0202)
  B.WSAStartup(0x0202)
  const addr = (device: number): Uint8Array => encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(device), serviceName: SERVICE })
  const ls = B.socket(AF_IRDA, SOCK_STREAM, 0)
  if (B.bind(ls, addr(0)) !== 0 || B.listen(ls, 1) !== 0) throw new Error(`irsock-bulk: bind/listen failed (${B.WSAGetLastError()})`)
  const reader = (async () => {
    const s = await B.accept(ls)
    const out = new Uint8Array(data.length)
    const buf = new Uint8Array(64 * 1024)
    let got = 0
    while (got < data.length) {
      const n = await B.recv(s, buf)
      if (n <= 0) throw new Error(`irsock-bulk: recv returned ${n} (${B.WSAGetLastError()})`)
      out.set(buf.subarray(0, n), got)
      got += n
    }
    return out
  })()
  const s = A.socket(AF_IRDA, SOCK_STREAM, 0)
  if (await A.connect(s, addr(b.deviceAddress)) !== 0) throw new Error(`irsock-bulk: connect failed (${A.WSAGetLastError()})`)
  started(room.clock.now())
  for (let at = 0; at < data.length; at += writeSize) {
    const n = Math.min(writeSize, data.length - at)
    if (await A.send(s, data.subarray(at, at + n)) !== n) throw new Error(`irsock-bulk: send failed (${A.WSAGetLastError()})`)
  }
  const out = await reader
  A.closesocket(s)
  return out
}

const WRITE_SIZES = [1, 100, 2048, 4096, 65536]

/** The cases of the table: both APIs, 4 Mbit/s and 115200, every write size. */
export function bulkCases (): BulkCase[] {
  const cases: BulkCase[] = []
  for (const bps of [4_000_000, 115200]) {
    for (const api of ['node', 'winsock'] as const) {
      for (const writeSize of WRITE_SIZES) {
        const bytes = writeSize === 1 ? 64 * 1024 : bps > 115200 ? 1024 * 1024 : 256 * 1024
        cases.push({ bps, writeSize, api, bytes })
      }
    }
  }
  return cases
}

/** The registry's entry (test/bench/run.ts): one row per case; `--quick` moves an eighth of the bytes. */
export const irsockBulkBench: Bench = async ({ quick }) => {
  const rows: BenchRow[] = []
  for (const c of bulkCases()) {
    const r = await bulk(quick ? { ...c, bytes: Math.max(4096, c.bytes / 8) } : c)
    rows.push({
      bench: 'irsock-bulk',
      case: `${r.bps} b/s, ${r.api === 'node' ? 'Node stream' : 'Winsock'} API, ${r.writeSize}-byte writes, ${r.bytes / 1024} KiB (${r.link})`,
      value: r.bytes / r.measuredMs,
      unit: 'kB/s',
      ratio: r.ratio,
      against: 'ideal schedule of the negotiated link',
      target: 0.97,
      bps: r.bps,
      measure: r.bps === 115200 ? 'irsock-115200' : 'irsock-4m',
    })
  }
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const only = process.argv.slice(2).map(Number).filter(n => n > 0)
  const cases = bulkCases().filter(c => only.length === 0 || only.includes(c.bps))
  let below = false
  for (const c of cases) {
    const t = performance.now()
    const r = await bulk(c)
    const w = r.windows
    if (r.ratio < 0.97) below = true
    console.log(`${String(r.bps).padStart(8)} ${r.api.padEnd(7)} writes ${String(r.writeSize).padStart(5)}  ${(r.bytes / 1024).toFixed(0).padStart(5)} KiB  ideal ${r.idealMs.toFixed(1)} ms  measured ${r.measuredMs.toFixed(1)} ms  ratio ${r.ratio.toFixed(4)}  (${r.link}; windows ${w.slice(0, 8).join(',')}...; frames ${r.frameBytes.slice(0, 6).join(',')}...; wall ${(performance.now() - t).toFixed(0)} ms)`)
  }
  if (below) process.exitCode = 1
}
