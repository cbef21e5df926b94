/*!
 * Goodput against the bit error rate: a one-way bulk transfer through the Node IrSock API (two
 * whole stacks in a virtual room at 115200 b/s, default settings), with the room flipping each
 * wire bit at the given rate, as a share of the line's byte rate (baud / 10). The sender's
 * IrLAP shrinks its I frames while they are being lost (see packages/lap/src/station/
 * frame-size.ts), so the share holds up where 2042-byte frames would almost all be hit.
 * Virtual time, seeded: the figures are the same on every machine. Target: 40% at BER 1e-4.
 *   node --import tsx --conditions=irdakit-source test/bench/ber-goodput.ts
 */
import { pathToFileURL } from 'node:url'
import { runSoak } from '../soak/soak.js'

const BPS = 115200
const RATES = [0, 1e-6, 1e-5, 1e-4, 3e-4]
const TARGET_AT_1E4 = 0.40

export interface BerRow { ber: number, bytes: number, kBs: number, ratio: number, retransmissions: number, intact: boolean }

/** Every rate, measured; `quick` moves a quarter of the bytes. */
export async function berGoodput (opts: { quick?: boolean } = {}): Promise<BerRow[]> {
  const bytes = opts.quick === true ? 64 * 1024 : 256 * 1024
  const rows: BerRow[] = []
  for (const ber of RATES) {
    const r = await runSoak({ bytes, ber, bps: BPS, seed: 1 })
    if (r.errors.length > 0) throw new Error(`ber-goodput at ${ber}: ${r.errors.join('; ')}`)
    const bytesPerS = r.goodputBps / 8
    rows.push({ ber, bytes, kBs: bytesPerS / 1000, ratio: bytesPerS / (BPS / 10), retransmissions: r.retransmissions, intact: r.sentSha256 === r.receivedSha256 })
  }
  return rows
}

/** The rows `npm run bench` records (the runner's BenchRow shape). */
export async function berGoodputBench (opts: { quick?: boolean } = {}): Promise<Array<{ bench: string, case: string, value: number, unit: string, ratio: number, against: string, target?: number, bps: number, ber: number, measure?: string }>> {
  return (await berGoodput(opts)).map(r => ({
    bench: 'ber-goodput',
    case: `IrSock bulk, ${BPS} b/s, BER ${r.ber}, ${r.bytes / 1024} KiB${r.intact ? '' : ' (DATA DIFFERS)'}, ${r.retransmissions} retransmissions`,
    value: r.kBs,
    unit: 'kB/s',
    ratio: r.intact ? r.ratio : 0,
    against: `line byte rate ${BPS / 10} B/s`,
    ...(r.ber === 1e-4 ? { target: TARGET_AT_1E4, measure: 'ber-1e-4' } : {}),
    bps: BPS,
    ber: r.ber,
  }))
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await berGoodput()) {
    const target = r.ber === 1e-4 ? `  target ${TARGET_AT_1E4} ${r.ratio >= TARGET_AT_1E4 ? 'ok' : 'BELOW TARGET'}` : ''
    console.log(`BER ${String(r.ber).padEnd(6)} ${r.kBs.toFixed(2).padStart(6)} kB/s  ${(r.ratio * 100).toFixed(1).padStart(5)}% of the line  ${r.retransmissions} retransmissions${r.intact ? '' : '  DATA DIFFERS'}${target}`)
  }
}
