/*! The catalogue: stable, well-formed IDs, every case with a clause, and docs/conformance.md in step with it. */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import { CATALOGUE, selectCases, withCatalogue } from '@irdakit/conformance'

const DOC = fileURLToPath(new URL('../../docs/conformance.md', import.meta.url))
const ID = /^(LAP|LMP|IAS|TTP|SOCK)\/(PRI|SEC|SRV|CLI|ANY)\/[A-Z]+\/(BV|BI|CA|TI)-\d{2}$/

describe('conformance catalogue', () => {
  it('has unique IDs of the form LAYER/ROLE/GROUP/TYPE-NN, each with a clause and a title', () => {
    const ids = CATALOGUE.map(c => c.id)
    expect(new Set(ids).size, 'duplicate IDs').to.equal(ids.length)
    for (const c of CATALOGUE) {
      expect(c.id).to.match(ID)
      expect(c.clause, c.id).to.match(/\w/)
      expect(c.title.length, c.id).to.be.greaterThan(10)
    }
  })

  it('selects cases by pattern and excludes by pattern', () => {
    const lap = selectCases(['LAP/SEC/*'])
    expect(lap.length).to.be.greaterThan(10)
    expect(lap.every(c => c.id.startsWith('LAP/SEC/'))).to.equal(true)
    expect(selectCases(['LAP/SEC/*'], ['LAP/SEC/XID/*']).some(c => c.id.startsWith('LAP/SEC/XID/'))).to.equal(false)
    expect(selectCases(['LAP/SEC/XID/BV-01']).map(c => c.id)).to.deep.equal(['LAP/SEC/XID/BV-01'])
  })

  it('docs/conformance.md carries the current catalogue (regenerate: npm run irda -- conformance --write-doc docs/conformance.md)', () => {
    const doc = readFileSync(DOC, 'utf8')
    expect(withCatalogue(doc) === doc, 'docs/conformance.md is stale: run `npm run irda -- conformance --write-doc docs/conformance.md`').to.equal(true)
  })
})
