/*!
 * The short hostile-peer run of the default tests (issue 13): a few seeds of each scenario.
 * `npm run hostile -- --n N` runs the long seeded version (see docs/reliability.md).
 */
import { expect } from 'chai'
import { HOSTILE_KINDS, runHostile } from './hostile.js'

describe('hostile peers (short run)', function () {
  this.timeout(120_000)
  for (const kind of HOSTILE_KINDS) {
    for (const seed of [1, 2]) {
      it(`${kind}, seed ${seed}: nothing throws or hangs, echoed bytes are an exact prefix, A serves a new connection afterwards`, async () => {
        const r = await runHostile({ seed, kind, ...(kind === 'floods' ? { actions: 600 } : { actions: 120 }) })
        expect(r.problems, JSON.stringify(r)).to.deep.equal([])
        expect(r.recovered).to.equal(true)
        expect(r.injected).to.be.greaterThan(0)
      })
    }
  }
})
