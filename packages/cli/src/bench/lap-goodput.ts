/*!
 * One-way bulk goodput of two IrLAP stations over the emulated medium, in virtual time, as a
 * fraction of the ideal schedule of the negotiated link (docs/benchmarks.md, "The ideal
 * schedule"; `idealBulkMs`). IrLAP alone: data size 2048, window 7, min turnaround 1 ms, at
 * every IrDA speed. Targets: >= 0.97 at 115200, >= 0.95 elsewhere. Run by `npm run bench` and
 * `irda bench`.
 */
import { SeededRandom } from '@irdakit/core'
import { Room, type TapRecord } from '@irdakit/emulator'
import { IrlapStation, StationDriver, defaultQos, parseFrame } from '@irdakit/lap'
import { idealBulkMs } from '../ideal-schedule.js'
import type { Bench, BenchOptions } from './row.js'

interface Case { bps: number, bytes: number, target: number }
/**
 * Every IrDA speed two stations can agree on, for the plot of goodput against speed; about 20 s
 * of link time each. Not 2400: every station supports 9600 (IrLAP 1.1 section 6.6.1) and the
 * highest common speed wins.
 */
const CASES: Case[] = [
  { bps: 9600, bytes: 24 * 1024, target: 0.95 },
  { bps: 19200, bytes: 48 * 1024, target: 0.95 },
  { bps: 38400, bytes: 96 * 1024, target: 0.95 },
  { bps: 57600, bytes: 128 * 1024, target: 0.95 },
  { bps: 115200, bytes: 256 * 1024, target: 0.97 },
  { bps: 576000, bytes: 1024 * 1024, target: 0.95 },
  { bps: 1152000, bytes: 2 * 1024 * 1024, target: 0.95 },
  { bps: 4000000, bytes: 8 * 1024 * 1024, target: 0.95 },
]
/** `--quick`: the same links, an eighth of the bytes (still many windows each). */
const QUICK_CASES: Case[] = CASES.map(c => ({ ...c, bytes: c.bytes / 8 }))

async function run (c: Case): Promise<{ ideal: number, measured: number, ratio: number, link: string }> {
  const room = new Room({ time: 'virtual', seed: 1 })
  const taps: TapRecord[] = []
  room.tap(r => taps.push(r))
  const make = (name: string, addr: number, seed: number): { st: IrlapStation, drv: StationDriver } => {
    const st = new IrlapStation({
      deviceAddress: addr,
      random: new SeededRandom(seed),
      qos: defaultQos({ speeds: [9600, c.bps], dataSize: 2048, windowSize: 7, minTurnaroundMs: 1 }),
      negotiate: { maxTxDataSize: 2048 },
    }, room.clock.now())
    return { st, drv: new StationDriver(st, room.port(name), { autoAccept: true }) }
  }
  const a = make('A', 0xA, 1)
  const b = make('B', 0xB, 2)
  await room.run(a.drv.connect(0xB))
  const link = a.st.link
  if (link === undefined) throw new Error('no link')
  if (link.baudRate !== c.bps) throw new Error(`the link runs at ${link.baudRate} b/s, not ${c.bps}`)
  const size = link.txDataSize
  const random = new SeededRandom(c.bps)
  const chunks = Array.from({ length: Math.ceil(c.bytes / size) }, () => Uint8Array.from({ length: size }, () => random.u32() & 0xFF))
  const total = chunks.reduce((n, x) => n + x.length, 0)
  let got = 0
  const done = new Promise<void>(resolve => b.drv.on(ev => { if (ev.type === 'data-indication' && (got += ev.data.length) >= total) resolve() }))
  const firstTap = taps.length
  a.drv.act((st, now) => { for (const x of chunks) st.dataRequest(now, x) })
  await room.run(done)

  // Measured: first I frame on the air to the end of the last one.
  const iFrames = taps.slice(firstTap).filter(t => t.sender === 'A' && parseFrame(t.frame).ok && (parseFrame(t.frame) as { value: { kind: string } }).value.kind === 'I')
  const measured = iFrames[iFrames.length - 1].end - iFrames[0].start

  const sec = b.st.link
  if (sec === undefined) throw new Error('no link on B')
  const window = link.txWindowSize
  const ideal = idealBulkMs(chunks, { bps: c.bps, window, xbofs: link.txAdditionalBofs, peerXbofs: sec.txAdditionalBofs, mttMs: link.txMinTurnaroundMs, peerMttMs: sec.txMinTurnaroundMs })
  await room.close()
  return { ideal, measured, ratio: ideal / measured, link: `data ${size}, window ${window}, mtt ${link.txMinTurnaroundMs}/${sec.txMinTurnaroundMs} ms, xbofs ${link.txAdditionalBofs}` }
}

export interface GoodputRow { bps: number, bytes: number, link: string, idealMs: number, measuredMs: number, ratio: number, target: number }

/** Every case, measured. */
export async function goodput (opts: Partial<BenchOptions> = {}): Promise<GoodputRow[]> {
  const rows: GoodputRow[] = []
  for (const c of opts.quick === true ? QUICK_CASES : CASES) {
    const r = await run(c)
    rows.push({ bps: c.bps, bytes: c.bytes, link: r.link, idealMs: r.ideal, measuredMs: r.measured, ratio: r.ratio, target: c.target })
  }
  return rows
}

/** The bench: one row per speed, goodput in kB/s and its ratio to the ideal schedule. */
export const lapGoodput: Bench = async opts => (await goodput(opts)).map(r => ({
  bench: 'lap-goodput',
  case: `${r.bps} b/s, ${r.bytes / 1024} KiB (${r.link})`,
  value: r.bytes / r.measuredMs,
  unit: 'kB/s',
  ratio: r.ratio,
  against: 'ideal schedule of the negotiated link',
  target: r.target,
  bps: r.bps,
}))
