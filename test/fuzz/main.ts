/*!
 * `npm run fuzz -- [--n 1000000] [--seed 1] [--only name] [--json]`: fuzzes every decoder and
 * prints, per decoder, inputs, accepted, rejected by reason, escapes and heap growth. Exits 1
 * when anything escaped or a decoder held more than its bound.
 */
import { parseArgs } from 'node:util'
import { runFuzz, formatReports } from './fuzz.js'

const { values } = parseArgs({ options: { n: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' }, only: { type: 'string' }, json: { type: 'boolean', default: false } } })
const n = Number(values.n)
const seed = Number(values.seed)
if (!Number.isInteger(n) || n < 1 || !Number.isInteger(seed)) {
  console.error('usage: npm run fuzz -- [--n <inputs per decoder>] [--seed <integer>] [--only <name part>] [--json]')
  process.exit(2)
}
const started = performance.now()
const reports = runFuzz({
  n,
  seed,
  ...(values.only !== undefined ? { only: values.only } : {}),
  onTarget: r => { if (!values.json) console.error(`${r.name}: ${r.inputs} inputs, ${r.accepted} accepted, ${r.rejected} rejected, ${r.escapes} escapes, ${r.ms} ms`) },
})
if (values.json) console.log(JSON.stringify({ n, seed, reports }, null, 2))
else console.log(`\nfuzz: ${n} inputs per decoder, seed ${seed}, ${((performance.now() - started) / 1000).toFixed(1)} s\n\n${formatReports(reports)}`)
const bad = reports.filter(r => r.escapes > 0 || (r.retained ?? 0) > (r.retainedLimit ?? Infinity))
process.exit(bad.length > 0 ? 1 : 0)
