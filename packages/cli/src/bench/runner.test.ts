import { expect } from 'chai'
import { BenchSkipped, type Bench, type BenchOptions } from './row.js'
import { belowTarget, formatTable, runBenches } from './runner.js'

describe('bench/runner', () => {
  it('runs every bench in order with { quick }, and records a skipped or failed one without stopping', async () => {
    const seen: BenchOptions[] = []
    const registry: Record<string, Bench> = {
      a: async opts => { seen.push(opts); return [{ bench: 'a', case: '115200 b/s', value: 11.2, unit: 'kB/s', ratio: 0.99, against: 'ideal', target: 0.97 }] },
      tool: async () => { throw new BenchSkipped('tshark not found (apt-get install -y tshark)') },
      broken: async () => { throw new Error('stalled') },
      b: async opts => { seen.push(opts); return [{ bench: 'b', case: 'x', value: 2, unit: 'x', ratio: 0.5, against: 'C', target: 1.5 }] },
    }
    const log: string[] = []
    const res = await runBenches(registry, [], { quick: true, log: l => log.push(l) })
    expect(seen).to.deep.equal([{ quick: true }, { quick: true }])
    expect(res.rows.map(r => r.bench)).to.deep.equal(['a', 'b'])
    expect(res.missing).to.deep.equal([
      { bench: 'tool', reason: 'skipped: tshark not found (apt-get install -y tshark)' },
      { bench: 'broken', reason: 'failed: stalled' },
    ])
    expect(res.quick).to.equal(true)
    expect(log).to.include('bench: tool skipped: tshark not found (apt-get install -y tshark)')
    expect(belowTarget(res.rows).map(r => r.bench)).to.deep.equal(['b'])
    expect((await runBenches(registry, ['b'])).rows.map(r => r.bench)).to.deep.equal(['b'])
  })

  it('prints a padded table with the ratio against its target', () => {
    const lines = formatTable([
      { bench: 'lap-goodput', case: '115200 b/s', value: 11.28, unit: 'kB/s', ratio: 0.99991, against: 'ideal schedule', target: 0.97 },
      { bench: 'phy-codec', case: 'vs C', value: 189.4, unit: 'MB/s', ratio: 0.859, against: 'C 220 MB/s', target: 1.5 },
      { bench: 'virtual-time', case: '4M', value: 1234.5, unit: 'x', ratio: 1234.5, against: 'real time' },
    ])
    expect(lines).to.deep.equal([
      'bench         case        value       ratio             against',
      'lap-goodput   115200 b/s  11.28 kB/s  0.9999 (>= 0.97)  ideal schedule',
      'phy-codec     vs C        189 MB/s    0.8590 BELOW 1.5  C 220 MB/s',
      'virtual-time  4M          1235 x      1235              real time',
    ])
  })
})
