/*!
 * The benches shipped in the package, run by `irda bench`: they need nothing but the packages.
 * The repository's `npm run bench` (test/bench/run.ts) runs these and the ones that need the
 * checkout (the C reference, tshark, fixtures).
 */
import { connectBench } from './connect.js'
import { demoEcho } from './demo-echo.js'
import { irsockBulkBench } from './irsock-bulk.js'
import { lapGoodput } from './lap-goodput.js'
import type { Bench } from './row.js'
import { virtualTimeBench } from './virtual-time.js'

export const PACKAGE_BENCHES: Record<string, Bench> = {
  'lap-goodput': lapGoodput,
  'demo-echo': demoEcho,
  'irsock-bulk': irsockBulkBench,
  connect: connectBench,
  'virtual-time': virtualTimeBench,
}
