/*!
 * One-way bulk goodput of two IrLAP stations over the emulated medium, in virtual time, as a
 * fraction of the ideal schedule for the negotiated parameters. The ideal is what IrLAP makes
 * unavoidable: every I frame of the transfer on the wire at the line rate (framing, the escapes
 * of these very bytes, the XBOFs the peer asked for), and between two windows the secondary's
 * minimum turnaround, its RR and the primary's minimum turnaround. Not a test:
 *   node --import tsx --conditions=irdakit-source test/bench/lap-goodput.ts
 * Targets: >= 0.97 at 115200 (data size 2048, min turnaround 1 ms), >= 0.95 at 9600 and 4 Mb/s.
 */
import { pathToFileURL } from 'node:url'
import { SeededRandom } from '@irdakit/core'
import { Room, type TapRecord } from '@irdakit/emulator'
import { IrlapStation, StationDriver, defaultQos, emitFrame, parseFrame } from '@irdakit/lap'
import { airtimeMs, wrapForSpeed } from '@irdakit/phy'

interface Case { bps: number, bytes: number, target: number }
const CASES: Case[] = [
  { bps: 9600, bytes: 24 * 1024, target: 0.95 },
  { bps: 115200, bytes: 256 * 1024, target: 0.97 },
  { bps: 4000000, bytes: 8 * 1024 * 1024, target: 0.95 },
]

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

  // Ideal: the same frames back to back, plus the turnarounds between windows.
  const sec = b.st.link
  if (sec === undefined) throw new Error('no link on B')
  const window = link.txWindowSize
  let ideal = 0
  chunks.forEach((info, i) => {
    const frame = emitFrame({ kind: 'I', caddr: 1, command: true, pf: (i + 1) % window === 0, ns: i % 8, nr: 0, info })
    ideal += airtimeMs(wrapForSpeed(frame, c.bps, { xbofs: link.txAdditionalBofs }), c.bps)
  })
  const rr = emitFrame({ kind: 'RR', caddr: 1, command: false, pf: true, nr: 0 })
  const turns = Math.ceil(chunks.length / window)
  ideal += (turns - 1) * (sec.txMinTurnaroundMs + airtimeMs(wrapForSpeed(rr, c.bps, { xbofs: sec.txAdditionalBofs }), c.bps) + link.txMinTurnaroundMs)
  await room.close()
  return { ideal, measured, ratio: ideal / measured, link: `data ${size}, window ${window}, mtt ${link.txMinTurnaroundMs}/${sec.txMinTurnaroundMs} ms, xbofs ${link.txAdditionalBofs}` }
}

export interface GoodputRow { bps: number, bytes: number, link: string, idealMs: number, measuredMs: number, ratio: number, target: number }

/** Every case, measured (for test/bench/run.ts and for this file run alone). */
export async function goodput (): Promise<GoodputRow[]> {
  const rows: GoodputRow[] = []
  for (const c of CASES) {
    const r = await run(c)
    rows.push({ bps: c.bps, bytes: c.bytes, link: r.link, idealMs: r.ideal, measuredMs: r.measured, ratio: r.ratio, target: c.target })
  }
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let failed = false
  for (const r of await goodput()) {
    const kBs = (ms: number): string => (r.bytes / ms).toFixed(2)
    console.log(`${String(r.bps).padStart(8)} b/s  ${(r.bytes / 1024).toFixed(0).padStart(5)} KiB  (${r.link})`)
    console.log(`           ideal ${r.idealMs.toFixed(1)} ms (${kBs(r.idealMs)} kB/s)  measured ${r.measuredMs.toFixed(1)} ms (${kBs(r.measuredMs)} kB/s)  ratio ${r.ratio.toFixed(4)}  target ${r.target}  ${r.ratio >= r.target ? 'ok' : 'BELOW TARGET'}`)
    if (r.ratio < r.target) failed = true
  }
  if (failed) process.exitCode = 1
}
