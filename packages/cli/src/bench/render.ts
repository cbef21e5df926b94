/*!
 * docs/benchmarks.md and its plots, from the JSON of one run: issue 17's table (before, now,
 * target, met or why not), every row, the plots of goodput against speed and against bit error
 * rate, and the one definition of the ideal schedule. Pure: results in, text out.
 */
import { SeededRandom } from '@irdakit/core'
import { emitFrame } from '@irdakit/lap'
import { SPEEDS, wrapForSpeed } from '@irdakit/phy'
import { idealGoodputKBs, lineBytesPerSecond, negotiatedLink } from '../ideal-schedule.js'
import type { BenchResults, BenchRow } from './row.js'
import { ratioCell, valueCell } from './runner.js'
import { renderPlot, type Series } from './svg.js'

/** One line of issue 17's table; a row answers it when its `measure` is `key` or `match` says so. */
export interface IssueMeasure {
  key: string
  /** The bench expected to answer it (for "not measured in this run: <why>"). */
  bench: string
  measure: string
  before: string
  target: string
  /** The ratio the target asks for, for rows that carry none of their own. */
  targetRatio?: number
  match: (r: BenchRow) => boolean
  /** Why it is not measured here, or not met, when no row says so. */
  why?: string
  /** The ratio in the issue's own terms, when they differ (connect: measured / ideal). */
  show?: (r: BenchRow) => string
}

/** The speed a row was measured at: its `bps`, or the first "115200 b/s" / "4 Mbit/s" in its case. */
export function rowBps (r: BenchRow): number | undefined {
  if (r.bps !== undefined) return r.bps
  const m = /(\d+(?:\.\d+)?)\s*(k|M)?(?:b\/s|bit\/s|bps)/.exec(r.case)
  return m === null ? undefined : Math.round(Number(m[1]) * (m[2] === 'M' ? 1e6 : m[2] === 'k' ? 1e3 : 1))
}

/** The bit error rate a row was measured at: its `ber`, or "BER 1e-4" in its case. */
export function rowBer (r: BenchRow): number | undefined {
  if (r.ber !== undefined) return r.ber
  const m = /BER\s*=?\s*(\d+(?:\.\d+)?(?:e-?\d+)?)/i.exec(r.case)
  return m === null ? undefined : Number(m[1])
}

/** 4000000 as 4M, 115200 as 115.2k. */
const speedLabel = (bps: number): string => bps >= 1e6 ? `${bps / 1e6}M` : `${bps / 1000}k`

const KBS: Record<string, number> = { 'B/s': 1e-3, 'kB/s': 1, 'KiB/s': 1.024, 'MB/s': 1e3 }

/** A goodput row's share of its line's byte rate, when it is one (a rate unit and a speed). */
export function shareOfLine (r: BenchRow): number | undefined {
  const bps = rowBps(r)
  const k = KBS[r.unit]
  if (bps === undefined || k === undefined) return undefined
  return r.value * k / (lineBytesPerSecond(bps) / 1000)
}

const bench = (name: string, r: BenchRow): boolean => r.bench === name
export const ISSUE_MEASURES: IssueMeasure[] = [
  { key: 'irsock-4m', bench: 'irsock-bulk', measure: 'IrSock one-way bulk, default settings, 4 Mbit/s', before: '35% of line', target: '>= 0.97 of the ideal schedule of the negotiated link', targetRatio: 0.97, match: r => bench('irsock-bulk', r) && rowBps(r) === 4000000 },
  { key: 'irsock-115200', bench: 'irsock-bulk', measure: 'same at 115200', before: '90.5% of the SIR byte rate', target: '>= 0.97 of ideal, at any write size', targetRatio: 0.97, match: r => bench('irsock-bulk', r) && rowBps(r) === 115200 },
  { key: 'vs-linux', bench: 'linux', measure: 'irdakit sending to Linux 4.9 through the same paced 115200 line as Linux to Linux, 2048-byte writes', before: "88.5% vs Linux's 92.8%", target: 'above Linux, at any write size', targetRatio: 1, match: r => /linux/i.test(r.bench) },
  { key: 'codec-random', bench: 'phy-codec', measure: 'SIR wrap+unwrap, 2048-byte random frames, vs a byte-at-a-time C reference (gcc -O2) in the same run', before: '0.71x', target: '>= 1.5x', targetRatio: 1.5, match: r => bench('phy-codec', r) && /random/i.test(r.case) && /\bC\b/.test(r.case + r.against) },
  { key: 'codec-escaped', bench: 'phy-codec', measure: 'same, frames whose every byte needs escaping', before: '0.10x', target: '>= 1.5x', targetRatio: 1.5, match: r => bench('phy-codec', r) && /escap/i.test(r.case) && /\bC\b/.test(r.case + r.against) },
  { key: 'dump-tshark', bench: 'dump', measure: '`irda dump` of a 1M-frame pcap vs `tshark -r`, same run', before: '7.5x slower, 1.98 GB', target: '>= 1.5x faster, memory bounded (< 200 MB)', targetRatio: 1.5, match: r => /dump/.test(r.bench) && /tshark/i.test(r.case + r.against) },
  { key: 'dump-json', bench: 'dump', measure: '`irda dump --json`, 1M frames', before: 'crashes ("Invalid string length", 4 GB)', target: 'streams (NDJSON), memory bounded', match: r => /dump/.test(r.bench) && /json/i.test(r.case) },
  { key: 'virtual-time', bench: 'virtual-time', measure: 'virtual-time bulk transfer, simulated seconds per wall second', before: '92x at 115200, 11x at 4M', target: '>= 1000x at 115200, >= 100x at 4M', match: r => bench('virtual-time', r) },
  { key: 'connect', bench: 'connect', measure: 'connect (discovery, SNRM/UA, IAS, TinyTP) vs its ideal frame schedule', before: '1.25x', target: '<= 1.10x', match: r => bench('connect', r), show: r => `${(1 / r.ratio).toFixed(2)}x the ideal` },
  { key: 'ber-1e-4', bench: 'ber-goodput', measure: 'goodput at BER 1e-4, 115200', before: '0.75 kB/s (6.5% of line)', target: '>= 40% of line', targetRatio: 0.4, match: r => bench('ber-goodput', r) && rowBer(r) === 1e-4 && rowBps(r) === 115200 },
]

const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** The rows of a run that answer `m`. */
export function rowsFor (m: IssueMeasure, rows: BenchRow[]): BenchRow[] {
  const tagged = rows.filter(r => r.measure === m.key)
  return tagged.length > 0 ? tagged : rows.filter(r => r.measure === undefined && m.match(r))
}

/** The ratio, then the value and what it is against; with several rows, each named by its speed or case. */
function nowCell (m: IssueMeasure, rows: BenchRow[]): string {
  const bare = (r: BenchRow): string => m.show?.(r) ?? ratioCell(r).replace(/ \(>=.*| BELOW.*/, '')
  if (rows.length > 3) {
    const sorted = [...rows].sort((a, b) => a.ratio - b.ratio)
    const [worst, best] = [sorted[0], sorted[sorted.length - 1]]
    return `**${bare(worst)}** to **${bare(best)}** over ${rows.length} cases (against ${worst.against}; lowest: ${worst.case}, ${valueCell(worst)})`
  }
  const bySpeed = new Set(rows.map(rowBps)).size === rows.length && rows.every(r => rowBps(r) !== undefined)
  return rows.map(r => {
    const label = rows.length === 1 ? '' : `${bySpeed ? speedLabel(rowBps(r)!) : r.case}: `
    return `${label}**${bare(r)}** (${valueCell(r)}; against ${r.against})`
  }).join('; ')
}

function metCell (m: IssueMeasure, rows: BenchRow[], missing: BenchResults['missing']): string {
  if (rows.length === 0) {
    const gone = missing.filter(x => x.bench === m.bench)
    return gone.length > 0 ? `not measured in this run (${gone.map(g => `${g.bench} ${g.reason}`).join('; ')})` : `not measured by \`npm run bench\`${m.why !== undefined ? `: ${m.why}` : ''}`
  }
  const short = rows.filter(r => { const t = r.target ?? m.targetRatio; return t !== undefined && r.ratio < t })
  const judged = rows.some(r => (r.target ?? m.targetRatio) !== undefined)
  if (!judged) return m.why ?? 'see the figures'
  if (short.length === 0) return 'met'
  const notes = [...new Set(short.map(r => r.note).filter((n): n is string => n !== undefined))]
  return `not met (${short.length} of ${rows.length})${notes.length > 0 ? `: ${notes.join('; ')}` : m.why !== undefined ? `: ${m.why}` : ''}`
}

function issueTable (res: BenchResults): string[] {
  return [
    '| measure | before (issue 17) | now (this run) | target | met? |',
    '|---|---|---|---|---|',
    ...ISSUE_MEASURES.map(m => {
      const rows = rowsFor(m, res.rows)
      return `| ${md(m.measure)} | ${md(m.before)} | ${rows.length > 0 ? md(nowCell(m, rows)) : '-'} | ${md(m.target)} | ${md(metCell(m, rows, res.missing))} |`
    }),
  ]
}

function rowsTable (rows: BenchRow[]): string[] {
  return [
    '| bench | case | value | ratio | against |',
    '|---|---|---|---|---|',
    ...rows.map(r => `| ${md(r.bench)} | ${md(r.case)} | ${md(valueCell(r))} | ${md(ratioCell(r))} | ${md(r.against)}${r.note !== undefined ? ` (${md(r.note)})` : ''} |`),
  ]
}

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
  const onSpeed = rows.filter(r => r.unit !== 'B' && rowBer(r) === undefined && (r.bench === 'lap-goodput' || r.bench === 'irsock-bulk'))
  return renderPlot({
    title: 'One-way goodput against speed',
    x: { label: 'speed (bit/s)', log: true, min: 2000, max: 5e6, ticks: [2400, 9600, 38400, 115200, 576000, 1152000, 4000000].map(b => [b, speedLabel(b)]) },
    y: SHARE_AXIS,
    series: [idealCurve(1, '#555555'), { ...idealCurve(10, '#ff7f0e'), style: 'dashed' }, ...measuredSeries(onSpeed, rowBps, r => r.bench, 0)],
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

/** The whole page and its plots; `plotDir` is where the SVGs go, relative to the page. */
export function renderBenchmarks (res: BenchResults, plotDir = 'benchmarks'): { markdown: string, files: Record<string, string> } {
  const berRows = res.rows.filter(r => rowBer(r) !== undefined)
  const lines = [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (packages/cli/src/bench/render.ts) from one run; edit the renderer, not this file. -->',
    '',
    `Measured ${res.date.slice(0, 16).replace('T', ' ')} UTC on ${res.machine}, Node ${res.node}${res.quick ? ', **quick run** (short versions: indicative only)' : ''}.`,
    'Every figure is a ratio against the physical limit (the ideal schedule of the negotiated link, the',
    "line's byte rate) or against a peer measured in the same run (the C reference compiled on the spot,",
    'tshark), never a time on its own, so a busy or slow machine moves the ratios much less than the times.',
    '',
    '## Issue 17: where we stand',
    '',
    ...issueTable(res),
    '',
    '## Every figure of this run',
    '',
    ...rowsTable(res.rows),
    '',
    ...(res.missing.length > 0
      ? ['## Not measured in this run', '', ...res.missing.map(m => `- ${m.bench}: ${md(m.reason)}`), '']
      : []),
    '## Goodput against speed',
    '',
    `![One-way goodput against speed](${plotDir}/goodput-speed.svg)`,
    '',
    'The lines are the ideal schedule (below) of a long one-way transfer of random bytes in full',
    '2048-byte frames, window 7, both stations offering the same QoS and negotiating it at each speed',
    "(IrLAP's line-capacity rule shrinks window and frames below 115200 bit/s): solid with a 1 ms minimum",
    'turnaround, dashed with 10 ms, the value every station offered before issue 17 (it alone caps',
    'IrLAP at about 60% of the line at 4 Mbit/s). The points are the measured goodput rows (`lap-goodput`:',
    'IrLAP alone; `irsock-bulk`: IrSock to IrSock through IrLMP and TinyTP), as a share of the line\'s',
    'byte rate (SIR 10 bits a byte, MIR and FIR 8).',
    '',
    '## Goodput against bit error rate',
    '',
    `![Goodput against bit error rate](${plotDir}/goodput-ber.svg)`,
    '',
    'The line is an upper bound at 115200 bit/s (min turnaround 1 ms): the ideal schedule at the best of',
    "IrLAP's data sizes (64 to 2048 bytes) times the chance that a frame's wire bits all arrive right, as if",
    'only damaged frames were sent again. IrLAP cannot reach it (go-back-N resends the rest of a window, a',
    'lost final frame costs a wait for the F timer), but a sender that shrinks its frames under errors gets',
    'closer: at 1e-4 a 2048-byte frame arrives intact about one time in five, a 128-byte one nine in ten',
    '(dashed: the same bound for a sender that keeps 2048-byte frames).',
    berRows.length > 0
      ? 'The points are the measured goodput rows with a bit error rate (`ber-goodput`), as a share of the line\'s byte rate.'
      : 'No row of this run carries a bit error rate (the `ber-goodput` bench did not run or is not registered).',
    '',
    '## The ideal schedule',
    '',
    'The one definition every ratio "of the ideal schedule" uses (the benchmarks, these plots and the',
    "summary of `irda demo`; code: `idealBulkMs` and `idealScheduleMs` in packages/cli/src/ideal-schedule.ts).",
    'It is the time the transfer cannot go below on the negotiated link, counting every mandatory overhead:',
    '',
    '- every new I frame once, on the air at the line rate: the XBOFs the peer asked for (SIR), BOF,',
    '  address, control, the information field, FCS and EOF, with the escapes of these very bytes (SIR),',
    '  or the flags, bit stuffing and CRC-16 (MIR) or preamble, 4PPM and CRC-32 (FIR);',
    '- at every turn of the line, the minimum turnaround the new sender must honour (the peer\'s',
    '  negotiated value), and the poll/final round: one RR (with its XBOFs) where the line turns with',
    '  nothing new to send, so a one-way window of N frames costs N I frames + turnaround + RR + turnaround;',
    '- nothing else: no retransmission, no idle time, no extra RR round, no wait for a quiet medium.',
    '',
    'A one-way bulk transfer planned in advance (`idealBulkMs`) ends with its last I frame; applied to',
    'frames seen on the air (`idealScheduleMs`, the demo) the same rules count the new I frames and the',
    'first supervisory frame of each turn without data.',
    '',
    '`irda demo` reports its echo against this schedule too: the summary line ends with "NN% of the',
    "link's ideal schedule\" (`summary.ofIdeal` with `--json`), beside the share of the line's byte rate.",
    '',
    '## Running them',
    '',
    '```',
    'npm run bench                     # every bench; table, bench-results.json, this page and its plots',
    'npm run bench -- --quick          # short versions (the page is not rewritten unless --md is given)',
    'npm run bench -- lap-goodput      # only the benches named (the page is not rewritten)',
    'npm run bench -- --render bench-results.json   # this page again from a saved run',
    'irda bench [--quick] [--json]     # the benches shipped in the irda command, on your machine',
    '```',
    '',
    'A bench that needs a tool the machine lacks (a C compiler, tshark) is listed under "Not measured"',
    'with the command that installs it. Benchmarks never run in `npm test`.',
    '',
  ]
  return {
    markdown: lines.join('\n'),
    files: { [`${plotDir}/goodput-speed.svg`]: speedPlot(res.rows), [`${plotDir}/goodput-ber.svg`]: berPlot(res.rows) },
  }
}
