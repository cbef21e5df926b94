/*!
 * A reply goes in the turn that answers the poll (issue 17): the layer above sees the frames a
 * turn brought before the station builds its own, so an IrLMP connect confirm or an IAS answer
 * queued on the data indication costs no extra RR/RR round. Both roles, through the tester.
 */
import { expect } from 'chai'
import { bytes, connectedPrimary, connectedSecondary, iCmd, iRsp } from './test-fixtures.js'

const request = bytes(4, 1)
const reply = bytes(4, 2)

describe('lap/station replies in the answering turn', () => {
  it('secondary: data queued on the indication of a polled I frame answers the poll (I with F, no RR first)', () => {
    const { st, t } = connectedSecondary()
    t.send(iCmd(0, 0, request, true))
    t.expectEvent({ type: 'data-indication', data: request })
    t.do(now => { st.dataRequest(now, reply) })
    t.expectFrame({ kind: 'I', command: false, pf: true, ns: 0, nr: 1, info: reply }, { within: 40 })
  })

  it('secondary: with nothing queued the poll still gets RR F at once', () => {
    const { t } = connectedSecondary()
    const from = t.now
    t.send(iCmd(0, 0, request, true))
    const f = t.expectFrame({ kind: 'RR', command: false, pf: true, nr: 1 }, { within: 40 })
    expect(f.start - from).to.be.at.most(10) // the minimum turnaround, nothing more
  })

  it('primary: data queued on the indication of the secondary\'s I frame goes in its next turn (no RR poll first)', () => {
    const { st, t, conn } = connectedPrimary()
    t.expectFrame({ kind: 'RR', command: true, pf: true, nr: 0 }) // the first poll at the new speed
    t.send(iRsp(0, 0, request, true, conn))
    t.expectEvent({ type: 'data-indication', data: request })
    t.do(now => { st.dataRequest(now, reply) })
    t.expectFrame({ kind: 'I', command: true, pf: true, ns: 0, nr: 1, info: reply }, { within: 40 })
  })
})
