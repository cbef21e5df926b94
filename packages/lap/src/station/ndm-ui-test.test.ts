import { expect } from 'chai'
import { BROADCAST_CADDR, BROADCAST_DEVICE } from '../frame.js'
import { InvalidRequestError, InvalidStateError } from './errors.js'
import { DUT, PEER, bytes, station, tester } from './test-fixtures.js'

describe('lap/station UI and TEST in NDM', () => {
  it('passes broadcast UI up and sends unit data as a broadcast UI command; more than 64 bytes is refused', () => {
    const st = station()
    const t = tester(st)
    t.send({ kind: 'UI', caddr: BROADCAST_CADDR, command: true, pf: false, info: bytes(12) })
    t.expectEvent({ type: 'unitdata-indication', data: bytes(12), broadcast: true })
    t.do(now => { st.unitdataRequest(now, bytes(64)) })
    t.expectFrame({ kind: 'UI', caddr: BROADCAST_CADDR, command: true, pf: false, info: bytes(64) })
    expect(() => { st.unitdataRequest(t.now, bytes(65)) }).to.throw(InvalidRequestError)
    expect(() => { st.dataRequest(t.now, bytes(5)) }).to.throw(InvalidStateError, /data is not allowed in state NDM/)
  })

  it('echoes a TEST command addressed to it or to all (IS39), and ignores one for another device', () => {
    const st = station()
    const t = tester(st)
    t.send({ kind: 'TEST', caddr: BROADCAST_CADDR, command: true, pf: true, info: { source: PEER, destination: 0x99999999, data: bytes(8) } })
    t.expectSilence(200)
    for (const destination of [DUT, BROADCAST_DEVICE]) {
      t.send({ kind: 'TEST', caddr: BROADCAST_CADDR, command: true, pf: true, info: { source: PEER, destination, data: bytes(8, destination) } })
      t.expectFrame({ kind: 'TEST', caddr: BROADCAST_CADDR, command: false, pf: true, info: { source: DUT, destination: PEER, data: bytes(8, destination) } })
    }
  })

  it('a TEST request is confirmed by the echo, or reported unanswered after the F timer', () => {
    const st = station()
    const t = tester(st)
    t.do(now => { st.testRequest(now, { deviceAddress: PEER, data: bytes(4) }) })
    t.expectFrame({ kind: 'TEST', command: true, pf: true, info: { source: DUT, destination: PEER, data: bytes(4) } })
    t.wait(5).send({ kind: 'TEST', caddr: BROADCAST_CADDR, command: false, pf: true, info: { source: PEER, destination: DUT, data: bytes(4) } })
    t.expectEvent({ type: 'test-confirm', ok: true, data: bytes(4) })
    t.do(now => { st.testRequest(now, { data: bytes(3) }) })
    t.expectFrame({ kind: 'TEST' })
    t.expectEvent({ type: 'test-confirm', ok: false }, { within: 600 })
  })
})
