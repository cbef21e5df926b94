/*!
 * The two plots of docs/benchmarks.md: goodput against speed (the ideal schedule at every IrDA
 * speed, and the measured one-way rows) and against bit error rate (an upper bound, and the
 * measured rows), both as a share of the line's byte rate.
 */
import { SeededRandom } from '@irdakit/core'
import { emitFrame } from '@irdakit/lap'
import { SPEEDS, wrapForSpeed } from '@irdakit/phy'
import { idealGoodputKBs, lineBytesPerSecond, negotiatedLink } from '../ideal-schedule.js'
import { rowBer, rowBps, shareOfLine, speedLabel, type BenchRow } from './row.js'
import { renderPlot, type Series } from './svg.js'

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf']
const SHARE_AXIS = { label: "goodput, share of the line's byte rate", min: 0, max: 1, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1].map((v): [number, string] => [v, `${v * 100}%`]) }

/** Measured goodput rows grouped into point series, by bench (and speed, for the BER plot). */
function measuredSeries (rows: BenchRow[], x: (r: BenchRow) => number | undefined, group: (r: BenchRow) => string, firstColor: number): Series[] {
  const groups = new Map<string, Array<[number, number]>>()
  for (const r of rows) {
    const xv = x(r)
    const share = shareOfLine(r)
    if (xv === undefined || share === undefined) continue
    groups.set(group(r), [...(groups.get(group(r)) ?? []), [xv, share]])
  }
  return [...groups].map(([name, points], i) => ({ name: `measured: ${name}`, color: COLORS[(firstColor + i) % COLORS.length], style: 'points', points }))
}

/** Ideal goodput at every IrDA speed, as a share of the line, for one minimum turnaround. */
function idealCurve (mttMs: number, color: string): Series {
  return { name: `ideal schedule, data 2048, window 7, min turnaround ${mttMs} ms`, color, style: 'line', points: SPEEDS.map(bps => [bps, idealGoodputKBs(negotiatedLink(bps, { minTurnaroundMs: mttMs })) / (lineBytesPerSecond(bps) / 1000)]) }
}

export function speedPlot (rows: BenchRow[]): string {
  const onSpeed = rows.filter(r => rowBer(r) === undefined && (r.bench === 'lap-goodput' || r.bench === 'irsock-bulk'))
  return renderPlot({
    title: 'One-way goodput against speed',
    x: { label: 'speed (bit/s)', log: true, min: 2000, max: 5e6, ticks: [2400, 9600, 38400, 115200, 576000, 1152000, 4000000].map(b => [b, speedLabel(b)]) },
    y: SHARE_AXIS,
    series: [idealCurve(0.01, '#000000'), idealCurve(1, '#999999'), { ...idealCurve(10, '#ff7f0e'), style: 'dashed' }, ...measuredSeries(onSpeed, rowBps, r => r.bench, 0)],
  })
}

/** IrLAP's data sizes (PI 0x83), the sizes a sender may choose below the negotiated one. */
const DATA_SIZES = [64, 128, 256, 512, 1024, 2048]

/**
 * An upper bound on goodput at a bit error rate, as a share of the line: the ideal schedule at
 * the best data size, times the chance that a frame arrives intact (every bit of its wire bytes
 * right), as if only the damaged frames were sent again and nothing else were lost. IrLAP does
 * worse (go-back-N, a lost final frame costs a wait for the F timer), so a measured point sits below it.
 */
export function berBound (bps: number, ber: number, sizes = DATA_SIZES): number {
  return Math.max(...sizes.map(dataSize => {
    const link = negotiatedLink(bps, { dataSize, minTurnaroundMs: 1 })
    const wireBits = 8 * airtimeBytes(link.dataSize, bps)
    return idealGoodputKBs(link) / (lineBytesPerSecond(bps) / 1000) * Math.pow(1 - ber, wireBits)
  }))
}

/** Wire bytes of an I frame with `size` random information bytes (its escapes included). */
function airtimeBytes (size: number, bps: number): number {
  const random = new SeededRandom(size)
  const info = Uint8Array.from({ length: size }, () => random.u32() & 0xFF)
  return wrapForSpeed(emitFrame({ kind: 'I', caddr: 1, command: true, pf: false, ns: 0, nr: 0, info }), bps).length
}

const BER_TICKS = [1e-7, 1e-6, 1e-5, 1e-4, 1e-3]
/** Four points a decade for the bound's curve. */
const BER_CURVE = Array.from({ length: 17 }, (_, i) => Math.pow(10, -7 + i / 4))

export function berPlot (rows: BenchRow[]): string {
  const withBer = rows.filter(r => rowBer(r) !== undefined && rowBer(r)! > 0)
  return renderPlot({
    title: withBer.length > 0 ? 'Goodput against bit error rate' : 'Goodput against bit error rate (no rows in this run)',
    x: { label: 'bit error rate', log: true, min: 1e-7, max: 1e-3, ticks: BER_TICKS.map(v => [v, v.toExponential(0)]) },
    y: SHARE_AXIS,
    series: [
      { name: 'bound at 115.2k: ideal schedule x frames intact, best data size', color: '#555555', style: 'line', points: BER_CURVE.map(ber => [ber, berBound(115200, ber)]) },
      { name: 'the same with 2048-byte frames only', color: '#ff7f0e', style: 'dashed', points: BER_CURVE.map(ber => [ber, berBound(115200, ber, [2048])]) },
      ...measuredSeries(withBer, rowBer, r => `${r.bench} at ${speedLabel(rowBps(r) ?? 0)}`, 0),
    ],
  })
}
