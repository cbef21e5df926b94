import { expect } from 'chai'
import { ISSUE_MEASURES, rowsFor } from './issue17.js'
import { berBound } from './plots.js'
import { renderBenchmarks } from './render.js'
import { rowBer, rowBps, shareOfLine, type BenchResults, type BenchRow } from './row.js'
import { renderPlot } from './svg.js'

const row = (over: Partial<BenchRow>): BenchRow => ({ bench: 'x', case: 'c', value: 1, unit: 'kB/s', ratio: 1, against: 'ideal', ...over })

/** A fixed run: one bench meets its target, one misses it with a note, one was skipped. */
const RESULTS: BenchResults = {
  date: '2026-12-04T03:00:00.000Z',
  node: 'v20.19.0',
  machine: '2 x Test CPU, linux/x64',
  quick: false,
  rows: [
    row({ bench: 'lap-goodput', case: '115200 b/s, 256 KiB', value: 11.28, ratio: 0.9999, target: 0.97, bps: 115200 }),
    row({ bench: 'irsock-bulk', case: '4000000 b/s, 2048-byte writes', value: 470, ratio: 0.985, against: 'ideal schedule of the negotiated link', target: 0.97 }),
    row({ bench: 'irsock-bulk', case: 'bulk at 115200 b/s, 1-byte writes', value: 10.5, ratio: 0.93, target: 0.97, note: 'TinyTP header on every 1-byte SDU' }),
    row({ bench: 'connect', case: '115200 b/s: 24 frames', value: 700, unit: 'ms', ratio: 0.8, against: 'ideal connect schedule 560.0 ms (ideal / measured)', target: 0.909, measure: 'connect' }),
    row({ bench: 'ber-goodput', case: '115200 b/s at BER 1e-4', value: 5.2, ratio: 0.45, against: 'line byte rate', measure: 'ber-1e-4' }),
  ],
  missing: [{ bench: 'dump', reason: 'skipped: tshark not found (apt-get install -y tshark)' }],
}

describe('bench/render: docs/benchmarks.md from a run', () => {
  it('reads the speed and the bit error rate from a row, or from its case', () => {
    expect(rowBps(row({ case: '4000000 b/s' }))).to.equal(4000000)
    expect(rowBps(row({ case: 'IrSock at 4 Mbit/s' }))).to.equal(4000000)
    expect(rowBps(row({ case: 'at 115.2 kbit/s' }))).to.equal(115200)
    expect(rowBps(row({ case: 'anything', bps: 9600 }))).to.equal(9600)
    expect(rowBer(row({ case: '115200 b/s, BER 1e-5' }))).to.equal(1e-5)
    expect(rowBer(row({ case: 'clean' }))).to.equal(undefined)
    // 5.76 kB/s at 115200 is half of the 11.52 kB/s a SIR line carries.
    expect(shareOfLine(row({ case: '115200 b/s', value: 5.76 }))).to.be.closeTo(0.5, 1e-9)
    expect(shareOfLine(row({ case: '115200 b/s', unit: 'x' }))).to.equal(undefined)
  })

  it('answers each line of the issue by its measure tag first, else by bench and case', () => {
    const m = (key: string): typeof ISSUE_MEASURES[number] => ISSUE_MEASURES.find(x => x.key === key)!
    expect(rowsFor(m('irsock-4m'), RESULTS.rows).map(r => r.ratio)).to.deep.equal([0.985])
    expect(rowsFor(m('irsock-115200'), RESULTS.rows).map(r => r.ratio)).to.deep.equal([0.93])
    expect(rowsFor(m('ber-1e-4'), RESULTS.rows).map(r => r.ratio)).to.deep.equal([0.45])
    expect(rowsFor(m('vs-linux'), RESULTS.rows)).to.deep.equal([])
  })

  it("writes the issue's table with before, now, target and met or the reason", () => {
    const { markdown } = renderBenchmarks(RESULTS)
    const line = (start: string): string => markdown.split('\n').find(l => l.startsWith(`| ${start}`)) ?? ''
    expect(markdown).to.include('| measure | before (issue 17) | now (this run) | target | met? |')
    expect(line('IrSock one-way bulk, default settings, 4 Mbit/s')).to.match(/\| 35% of line \| \*\*0\.9850\*\* \(470 kB\/s; against ideal schedule of the negotiated link\) \| >= 0\.97 .*\| met \|$/)
    expect(line('same at 115200')).to.match(/\| not met \(1 of 1\): TinyTP header on every 1-byte SDU \|$/)
    expect(line('goodput at BER 1e-4')).to.match(/\| met \|$/)
    expect(line('`irda dump` of a 1M-frame pcap')).to.include('not measured in this run (dump skipped: tshark not found (apt-get install -y tshark))')
    expect(line('connect (discovery')).to.match(/\| 1\.25x \| \*\*1\.25x the ideal\*\* \(700 ms; against ideal connect schedule 560\.0 ms \(ideal \/ measured\)\) \| <= 1\.10x \| not met \(1 of 1\) \|$/)
    expect(line('irdakit sending to Linux 4.9')).to.include('not measured by `npm run bench`')
    expect(markdown).to.include('Measured 2026-12-04 03:00 UTC on 2 x Test CPU, linux/x64, Node v20.19.0.')
    expect(markdown).to.include('## The ideal schedule')
    expect(markdown).to.include('![One-way goodput against speed](benchmarks/goodput-speed.svg)')
  })

  it('plots the ideal curves at every speed and one point per measured goodput row', () => {
    const { files } = renderBenchmarks(RESULTS)
    const speed = files['benchmarks/goodput-speed.svg']
    const ber = files['benchmarks/goodput-ber.svg']
    expect(speed).to.match(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^]*<\/svg>\n$/)
    // Three ideal curves through the 9 IrDA speeds; lap-goodput's and irsock-bulk's three points.
    const polylines = [...speed.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map(m => m[1].split(' ').length)
    expect(polylines).to.deep.equal([9, 9, 9])
    expect(speed.match(/<circle [^>]*><title>/g)).to.have.length(3)
    expect(ber.match(/<circle [^>]*><title>/g)).to.have.length(1)
    expect([...ber.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map(m => m[1].split(' ').length)).to.deep.equal([17, 17]) // the bounds
    expect(renderBenchmarks(RESULTS)).to.deep.equal(renderBenchmarks(RESULTS)) // same input, same bytes
  })

  it('sums up a measure answered by many rows: lowest and highest ratio, the lowest case named', () => {
    const many = [0.99, 0.95, 0.98, 0.97].map((ratio, i) => row({ bench: 'irsock-bulk', case: `4000000 b/s, ${2 ** (i * 3)}-byte writes`, ratio, value: 400 + i }))
    const { markdown } = renderBenchmarks({ ...RESULTS, rows: many })
    expect(markdown).to.include('| **0.9500** to **0.9900** over 4 cases (against ideal; lowest: 4000000 b/s, 8-byte writes, 401 kB/s) | >= 0.97 of the ideal schedule of the negotiated link | not met (1 of 4) |')
  })

  it('gives one figure when every row of a measure has the same', () => {
    const same = [1, 2, 3, 4].map(i => row({ bench: 'connect', case: `case ${i}`, unit: 'ms', ratio: 0.999, measure: 'connect' }))
    expect(renderBenchmarks({ ...RESULTS, rows: same }).markdown).to.include('| **1.00x the ideal** over 4 cases (against ideal; lowest: case 1, 1.00 ms) | <= 1.10x | met |')
  })

  it('says so when no row carries a bit error rate, and the quick run is marked', () => {
    const { markdown, files } = renderBenchmarks({ ...RESULTS, quick: true, rows: RESULTS.rows.filter(r => r.bench !== 'ber-goodput') })
    expect(markdown).to.include('**quick run**')
    expect(markdown).to.include('No row of this run carries a bit error rate')
    expect(files['benchmarks/goodput-ber.svg']).to.include('(no rows in this run)')
  })
})

describe('bench/render: the bound of goodput under bit errors', () => {
  it('falls as errors rise, from the ideal schedule at BER 0, and stays well above the 2048-byte frames at 1e-4', () => {
    const at = [0, 1e-6, 1e-5, 1e-4, 1e-3].map(ber => berBound(115200, ber))
    for (let i = 1; i < at.length; i++) expect(at[i]).to.be.below(at[i - 1])
    expect(at[0]).to.be.within(0.95, 1)
    // 2048-byte frames alone: about 2070 wire bytes, (1 - 1e-4)^(8 * 2070) is about 0.19.
    expect(at[3]).to.be.within(0.7, 0.9)
    expect(berBound(115200, 1e-4, [2048])).to.be.within(0.15, 0.22)
  })
})

describe('bench/svg', () => {
  it('places values on log and linear axes inside the frame, escapes text, leaves out what is off the axes', () => {
    const svg = renderPlot({
      title: 'a < b & c',
      x: { label: 'x', log: true, min: 10, max: 1000, ticks: [[100, '100']] },
      y: { label: 'y', min: 0, max: 1, ticks: [[0.5, '50%']] },
      series: [{ name: 's', color: 'red', style: 'points', points: [[10, 0], [1000, 1], [100, 0.5], [0, 0.5], [100, 2]] }],
    })
    expect(svg).to.include('a &lt; b &amp; c')
    const circles = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="4" fill="red"><title>/g)].map(m => [Number(m[1]), Number(m[2])])
    // Frame: x 70..620, y 36..344 (top is 1). 100 is the middle of 10..1000 on a log axis.
    expect(circles).to.deep.equal([[70, 344], [620, 36], [345, 190]])
  })
})
