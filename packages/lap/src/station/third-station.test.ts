import { expect } from 'chai'
import { DUT, connectedPrimary, connectedSecondary } from './test-fixtures.js'

/** Frames another station sends to everyone while our link is up (found by the hostile-peer suite, issue 13). */
describe('lap/station: a third station\'s broadcast frames during a connection', () => {
  for (const role of ['secondary', 'primary'] as const) {
    it(`a ${role} never answers a broadcast TEST command of another station (it would transmit out of turn on the link)`, () => {
      const { st, t } = role === 'secondary' ? connectedSecondary() : connectedPrimary()
      const ignored = st.stats.ignored
      t.send({ kind: 'TEST', caddr: 0x7F, command: true, pf: true, info: { source: 0x0BAD0BAD, destination: DUT, data: Uint8Array.of(1, 2, 3) } })
      t.send({ kind: 'TEST', caddr: 0x7F, command: true, pf: true, info: { source: 0x0BAD0BAD, destination: 0xFFFFFFFF, data: Uint8Array.of(4) } })
      expect(st.stats.ignored).to.equal(ignored + 2)
      expect(t.pendingFrames().filter(f => f.frame?.kind === 'TEST')).to.deep.equal([])
      expect(st.checkInvariants()).to.deep.equal([])
    })
  }
})
