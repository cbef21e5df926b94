import { expect } from 'chai'
import { IrcommSession, highestService, type IrcommEvent } from './session.js'
import { decodeCookedFrame, encodeCookedFrame } from './frame.js'
import { decodeParams, FLOW, SERVICE } from './params.js'

const hex = (b: Uint8Array | undefined): string => b === undefined ? 'none' : Buffer.from(b).toString('hex')
const drain = (s: IrcommSession): IrcommEvent[] => { const out: IrcommEvent[] = []; for (let e = s.pollEvent(); e !== undefined; e = s.pollEvent()) out.push(e); return out }

describe('ircomm/session (sans-I/O)', () => {
  it('a server sends only its lines at open, and answers a poll with them', () => {
    const s = new IrcommSession({ service: '9-wire', lineRole: 'dce', accept: 0x06 })
    s.open()
    expect(hex(s.pollTransmit(60))).to.equal('032101b0')
    s.handleFrame(encodeCookedFrame([{ type: 'poll' }]))
    expect(hex(s.pollTransmit(60))).to.equal('032101b0')
    expect(s.pollTransmit(60)).to.equal(undefined)
  })

  it('takes the client\'s service type when it offers it, refuses one it does not', () => {
    const s = new IrcommSession({ service: '9-wire', lineRole: 'dce', accept: 0x06 })
    s.handleFrame(encodeCookedFrame([{ type: 'service-type', value: SERVICE.THREE_WIRE }]))
    expect(s.service).to.equal('3-wire')
    s.handleFrame(encodeCookedFrame([{ type: 'service-type', value: SERVICE.CENTRONICS }]))
    expect(s.service).to.equal('3-wire')
    expect(drain(s).filter(e => e.type === 'refused')).to.have.length(1)
    expect(highestService(0x0F)).to.equal('centronics')
    expect(highestService(0)).to.equal(undefined)
  })

  it('maps a null-modem peer\'s DTE to our DCE view (DTR -> DSR and CD, RTS -> CTS)', () => {
    const s = new IrcommSession({ service: '9-wire' })
    s.handleFrame(encodeCookedFrame([{ type: 'dte', value: 0x05 }]))
    expect(s.peerDce).to.deep.equal({ cts: false, dsr: true, cd: true, ri: false })
  })

  it('holds data, never control, while CTS flow control is on and the peer\'s CTS is down', () => {
    const s = new IrcommSession({ service: '9-wire', settings: { flowControl: FLOW.RTS_CTS_IN } })
    s.handleFrame(encodeCookedFrame([{ type: 'dce', value: 0x20 }])) // DSR only: CTS down
    s.write(Buffer.from('held'))
    s.poll()
    expect(hex(s.pollTransmit(60))).to.equal('022200')
    expect(s.pollTransmit(60)).to.equal(undefined)
    s.handleFrame(encodeCookedFrame([{ type: 'dce', value: 0x31 }])) // CTS up, with its delta
    expect(Buffer.from(decodeCookedFrame(s.pollTransmit(60) as Uint8Array)?.data ?? []).toString()).to.equal('held')
  })

  it('fills frames to the size it is given: control first, data behind it', () => {
    const s = new IrcommSession({ service: '9-wire' })
    s.open()
    s.write(new Uint8Array(100).fill(0x41))
    const first = s.pollTransmit(30) as Uint8Array
    expect(first.length).to.equal(30)
    const f = decodeCookedFrame(first)
    expect(decodeParams(f?.control ?? new Uint8Array(0)).params.map(p => p.type)).to.deep.equal(['service-type', 'data-rate', 'data-format', 'flow-control', 'dte'])
    expect(f?.data.length).to.equal(30 - 1 - 18)
    let total = f?.data.length ?? 0
    for (let fr = s.pollTransmit(30); fr !== undefined; fr = s.pollTransmit(30)) { expect(fr.length).to.be.at.most(30); total += fr.length - 1 }
    expect(total).to.equal(100)
  })

  it('raw mode carries bare bytes and ignores control requests', () => {
    const s = new IrcommSession({ service: '3-wire-raw' })
    s.open()
    s.setDte({ dtr: false })
    s.sendBreak(1)
    s.write(Buffer.from('abc'))
    expect(hex(s.pollTransmit(2))).to.equal('6162')
    expect(hex(s.pollTransmit(2))).to.equal('63')
    s.handleFrame(Uint8Array.of(0x03, 0x20))
    expect(drain(s)).to.deep.equal([{ type: 'data', data: Uint8Array.of(0x03, 0x20) }])
  })

  it('answers a flood of polls with one pending reply, however long the transport waits', () => {
    const s = new IrcommSession({ service: '9-wire', lineRole: 'dce' })
    for (let i = 0; i < 10_000; i++) s.handleFrame(encodeCookedFrame([{ type: 'poll' }]))
    expect(hex(s.pollTransmit(60))).to.equal('032101b0')
    expect(s.pollTransmit(60)).to.equal(undefined)
  })
})
