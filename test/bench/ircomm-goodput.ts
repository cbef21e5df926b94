/*!
 * IrCOMM one-way goodput (issue 18's figures): `connectIrcomm` to `listenIrcomm` between two
 * stacks in a virtual room, the client writing `bytes` of seeded random data, every byte
 * compared at the server. Measured in link time from the first data frame on the air to the
 * moment the server has the last byte. Two ratios: against the line's byte rate (SIR 10 bits a
 * byte, FIR 8), and against the ideal schedule of the negotiated link (idealBulkMs) carrying the
 * same bytes in full frames with IrCOMM's headers (IrLMP 2 bytes, and for cooked frames TinyTP
 * 1 and clen 1). Virtual time, seeded: the same figures on every machine. Not a test:
 *   node --import tsx --conditions=irdakit-source test/bench/ircomm-goodput.ts
 */
import { pathToFileURL } from 'node:url'
import { SeededRandom } from '@irdakit/core'
import { Room } from '@irdakit/emulator'
import { connectIrcomm, IRCOMM_HINTS, listenIrcomm, SERVICE, type IrcommPort, type ServiceName } from '@irdakit/ircomm'
import { SPEEDS } from '@irdakit/phy'
import { IrdaStack } from '@irdakit/stack'
import { idealBulkMs, lineBytesPerSecond, type BenchRow } from '../../packages/cli/src/bench/index.js'
import type { AirFrame } from '../../packages/cli/src/ideal-schedule.js'

export interface IrcommCase { service: ServiceName, bps: number, bytes: number }
export interface IrcommResult extends IrcommCase { measuredMs: number, idealMs: number, kBs: number, lineShare: number, ratio: number, link: string }

const SERVICE_BITS: Record<ServiceName, number> = { '9-wire': SERVICE.NINE_WIRE, '3-wire': SERVICE.THREE_WIRE, '3-wire-raw': SERVICE.RAW, centronics: SERVICE.CENTRONICS }
const isI = (frame: Uint8Array): boolean => (frame[1] & 0x01) === 0

/** One transfer, checked byte for byte. */
export async function ircommTransfer (c: IrcommCase): Promise<IrcommResult> {
  const room = new Room({ time: 'virtual', seed: 18 })
  const air: AirFrame[] = []
  room.tap(r => air.push({ sender: r.sender, start: r.start, end: r.end, frame: r.frame }))
  const speeds = SPEEDS.filter(s => s <= c.bps)
  const laptop = IrdaStack.create({ port: room.port('laptop', { supportedSpeeds: speeds }), nickname: 'laptop', seed: 181 })
  const device = IrdaStack.create({ port: room.port('device', { supportedSpeeds: speeds }), nickname: 'device', hints: IRCOMM_HINTS, seed: 182 })
  const random = new SeededRandom(c.bytes)
  const data = Buffer.from(Uint8Array.from({ length: c.bytes }, () => random.u32() & 0xFF))
  const received = new Promise<Buffer>((resolve, reject) => {
    listenIrcomm(device, { services: SERVICE_BITS[c.service] }, (port: IrcommPort) => {
      const parts: Buffer[] = []
      let got = 0
      port.on('error', reject)
      port.on('data', (d: Buffer) => { parts.push(d); got += d.length; if (got >= c.bytes) resolve(Buffer.concat(parts)) })
    })
  })
  const client = await room.run(connectIrcomm(laptop, { service: c.service }))
  const t0 = room.clock.now()
  client.write(data)
  const got = await room.run(received)
  const doneAt = room.clock.now()
  if (!got.equals(data)) throw new Error(`ircomm-goodput ${c.service} ${c.bps}: the server got ${got.length} bytes, not the ${c.bytes} sent, or other bytes`)
  const link = laptop.station.link
  const peer = device.station.link
  if (link === undefined || peer === undefined) throw new Error('ircomm-goodput: the link went down')
  const headers = c.service === '3-wire-raw' ? 2 : 4
  const first = air.find(f => f.start >= t0 && f.sender === 'laptop' && isI(f.frame) && f.frame.length > 2 + headers)
  if (first === undefined) throw new Error('ircomm-goodput: no data frame seen')
  const measuredMs = doneAt - first.start
  const per = link.txDataSize - headers
  const infos: Uint8Array[] = []
  for (let at = 0; at < data.length; at += per) {
    const chunk = data.subarray(at, at + per)
    const info = new Uint8Array(headers + chunk.length)
    info.set(first.frame.subarray(2, 2 + headers), 0)
    info.set(chunk, headers)
    infos.push(info)
  }
  const idealMs = idealBulkMs(infos, { bps: c.bps, window: link.txWindowSize, xbofs: link.txAdditionalBofs, peerXbofs: peer.txAdditionalBofs, mttMs: link.txMinTurnaroundMs, peerMttMs: peer.txMinTurnaroundMs })
  const kBs = c.bytes / measuredMs
  client.destroy()
  await room.run(Promise.all([laptop.close(), device.close()]))
  await room.close()
  return {
    ...c, measuredMs, idealMs, kBs,
    lineShare: kBs * 1000 / lineBytesPerSecond(c.bps),
    ratio: idealMs / measuredMs,
    link: `data ${link.txDataSize}, window ${link.txWindowSize}, mtt ${link.txMinTurnaroundMs}/${peer.txMinTurnaroundMs} ms`,
  }
}

/** The cases docs/ircomm.md quotes. */
export const IRCOMM_CASES: IrcommCase[] = [
  { service: '9-wire', bps: 9600, bytes: 20_000 },
  { service: '9-wire', bps: 115200, bytes: 200_000 },
  { service: '3-wire-raw', bps: 115200, bytes: 200_000 },
  { service: '9-wire', bps: 4_000_000, bytes: 1_000_000 },
]

/** The registry's entry (test/bench/run.ts); `--quick` moves a tenth of the bytes. */
export async function ircommGoodputBench ({ quick }: { quick: boolean }): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  for (const c of IRCOMM_CASES) {
    const r = await ircommTransfer(quick ? { ...c, bytes: c.bytes / 10 } : c)
    rows.push({
      bench: 'ircomm-goodput',
      case: `IrCOMM ${r.service}, ${r.bps} b/s, ${r.bytes} bytes one way (${r.link}; ${(r.lineShare * 100).toFixed(1)}% of the line)`,
      value: r.kBs,
      unit: 'kB/s',
      ratio: r.ratio,
      against: 'ideal schedule of the negotiated link',
      bps: r.bps,
    })
  }
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const c of IRCOMM_CASES) {
    const r = await ircommTransfer(c)
    console.log(`${r.service.padEnd(10)} ${String(r.bps).padStart(8)} b/s ${String(r.bytes).padStart(8)} B  ${r.kBs.toFixed(2).padStart(7)} kB/s  ${(r.lineShare * 100).toFixed(1).padStart(5)}% of the line  ${r.ratio.toFixed(3)} of the ideal  (${r.link}; ${r.measuredMs.toFixed(0)} ms)`)
  }
}
