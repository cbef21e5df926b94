import { expect } from 'chai'
import { BROADCAST } from './schema.js'
import { MAX_LANES, StationTracker, type LapFields } from './stations.js'

const PC = 0x11111111
const DEV = 0x22222222
const snrm: LapFields = { kind: 'SNRM', caddr: 0x7F, command: true, source: PC, destination: DEV, connAddr: 0x31 }
const ua: LapFields = { kind: 'UA', caddr: 0x31, command: false, source: DEV, destination: PC }
const i = (command: boolean, ns: number, nr: number): LapFields => ({ kind: 'I', caddr: 0x31, command, ns, nr })
const s = (kind: string, command: boolean, nr: number): LapFields => ({ kind, caddr: 0x31, command, nr })

describe('viewer: stations and retransmissions read off the frames', () => {
  it('puts a connection\'s commands on the primary\'s lane and its responses on the secondary\'s, learned from SNRM and UA', () => {
    const t = new StationTracker()
    const a = t.frame(0, { kind: 'XID', caddr: 0x7F, command: true, source: PC, destination: 0xFFFFFFFF, nickname: 'laptop' }, 'out')
    expect(a.peer).to.equal(BROADCAST)
    const b = t.frame(1, { kind: 'XID', caddr: 0x7F, command: false, source: DEV, destination: PC, nickname: 'dive' }, 'in')
    expect([b.lane, b.peer]).to.deep.equal([1, 0])
    expect(t.frame(2, snrm, 'out')).to.include({ lane: 0, peer: 1 })
    expect(t.frame(3, ua, 'in')).to.include({ lane: 1, peer: 0 })
    expect(t.frame(4, s('RR', true, 0), 'out')).to.include({ lane: 0, peer: 1 })
    expect(t.frame(5, s('RR', false, 0), 'in')).to.include({ lane: 1, peer: 0 })
    expect(t.labels).to.deep.equal(['laptop (0x11111111)', 'dive (0x22222222)'])
  })

  it('names a frame of a connection it never saw set up by its address and role', () => {
    const t = new StationTracker()
    expect(t.frame(0, s('RR', true, 3), 'out').lane).to.equal(0)
    expect(t.frame(1, s('RR', false, 3), 'in').lane).to.equal(1)
    expect(t.labels).to.deep.equal(['ca 0x31 primary', 'ca 0x31 secondary'])
  })

  it('calls an I frame whose N(S) is still unacknowledged a retransmission, and marks the earlier copy', () => {
    const t = new StationTracker()
    t.frame(0, snrm, 'out')
    t.frame(1, ua, 'in')
    expect(t.frame(2, i(true, 0, 0), 'out').retransmission).to.equal(false)
    expect(t.frame(3, i(true, 1, 0), 'out').retransmission).to.equal(false)
    expect(t.frame(4, s('REJ', false, 1), 'in').retransmission).to.equal(false) // frame 0 got through, 1 did not
    const again = t.frame(5, i(true, 1, 0), 'out')
    expect(again).to.include({ retransmission: true, resentIndex: 3 })
    expect(t.frame(6, s('RR', false, 2), 'in').retransmission).to.equal(false)
    expect(t.frame(7, i(true, 2, 0), 'out').retransmission).to.equal(false)
  })

  it('does not call the eighth I frame (N(S) wrapping to a value used before) a retransmission once acknowledged', () => {
    const t = new StationTracker()
    t.frame(0, snrm, 'out')
    t.frame(1, ua, 'in')
    let n = 2
    for (let k = 0; k < 20; k++) {
      expect(t.frame(n++, i(true, k & 7, 0), 'out').retransmission, `frame ${k}`).to.equal(false)
      t.frame(n++, s('RR', false, (k + 1) & 7), 'in')
    }
  })

  it('forgets the windows when the link is set up again', () => {
    const t = new StationTracker()
    t.frame(0, snrm, 'out')
    t.frame(1, ua, 'in')
    t.frame(2, i(true, 0, 0), 'out')
    t.frame(3, snrm, 'out')
    t.frame(4, ua, 'in')
    expect(t.frame(5, i(true, 0, 0), 'out').retransmission).to.equal(false)
  })

  it('keeps at most MAX_LANES lanes whatever the capture claims (a new device address per frame)', () => {
    const t = new StationTracker()
    for (let k = 0; k < 1000; k++) t.frame(k, { kind: 'XID', caddr: 0x7F, command: true, source: 0x1000 + k, destination: 0xFFFFFFFF }, 'in')
    expect(t.labels.length).to.equal(MAX_LANES)
    expect(t.labels[MAX_LANES - 1]).to.equal('other stations')
  })

  it('uses the names a room gives, and finds the receiver by the addresses those stations announced', () => {
    const t = new StationTracker()
    t.frame(0, { kind: 'XID', caddr: 0x7F, command: true, source: PC, destination: 0xFFFFFFFF }, 'in', 'laptop')
    const r = t.frame(1, { kind: 'XID', caddr: 0x7F, command: false, source: DEV, destination: PC }, 'in', 'phone')
    expect(r).to.include({ lane: 1, peer: 0 })
    expect(t.frame(2, snrm, 'in', 'laptop')).to.include({ lane: 0, peer: 1 })
    expect(t.labels).to.deep.equal(['laptop', 'phone'])
  })

  it('places a frame with no IrLAP header by its direction', () => {
    const t = new StationTracker()
    expect(t.frame(0, undefined, 'out').peer).to.equal(BROADCAST)
    expect(t.labels).to.deep.equal(['this station'])
  })
})
