import { expect } from 'chai'
import { parseFrame, emitFrame, parseDiscoveryInfo, negotiate, defaultQos, toHex, type LapFrame } from '@irdakit/lap'
import { decodeFrame } from '@irdakit/capture'
import { linuxSession } from '../helpers/linux-session.js'

function parse (bytes: Uint8Array): LapFrame {
  const r = parseFrame(bytes)
  if (!r.ok) throw new Error(`${toHex(bytes)}: ${r.error.message}`)
  return r.value
}

describe('lap-wire: interop with the Linux 4.9 session', () => {
  const session = linuxSession()

  it('parses every frame and emits it back byte for byte', () => {
    expect(session).to.have.length(90)
    for (const f of session) expect(toHex(emitFrame(parse(f.frame))), `frame at ${f.t} ms`).to.equal(toHex(f.frame))
  })

  it('the describer decodes every frame without error', () => {
    for (const f of session) expect(decodeFrame(f.frame).error, `frame at ${f.t} ms`).to.equal(undefined)
  })

  it('finds the kinds Linux sent, in the right directions', () => {
    const kinds = new Set(session.map(f => { const p = parse(f.frame); return `${p.kind}:${p.command ? 'cmd' : 'rsp'}` }))
    expect([...kinds].sort()).to.deep.equal(['DISC:cmd', 'I:cmd', 'I:rsp', 'RR:cmd', 'RR:rsp', 'SNRM:cmd', 'UA:rsp', 'XID:cmd', 'XID:rsp'])
  })

  it('reads both nicknames from the discovery info', () => {
    const names = new Set<string>()
    for (const f of session) {
      const p = parse(f.frame)
      if (p.kind !== 'XID' || p.info.discoveryInfo === undefined) continue
      const d = parseDiscoveryInfo(p.info.discoveryInfo)
      if (d.ok) names.add(d.value.nickname)
    }
    expect([...names].sort()).to.deep.equal(['guestA', 'guestB'])
  })

  it('negotiates the session link from either side (both Linux stations offer up to 115200 bit/s)', () => {
    const snrm = parse(session.find(f => parse(f.frame).kind === 'SNRM')!.frame)
    const ua = parse(session.find(f => { const p = parse(f.frame); return p.kind === 'UA' && p.info?.qos !== undefined })!.frame)
    if (snrm.kind !== 'SNRM' || ua.kind !== 'UA' || snrm.info?.qos === undefined || ua.info?.qos === undefined) throw new Error('no QoS in the session')
    const primary = negotiate(snrm.info.qos, ua.info.qos)
    const secondary = negotiate(ua.info.qos, snrm.info.qos)
    expect(primary.ok && secondary.ok).to.equal(true)
    if (!primary.ok || !secondary.ok) return
    expect(primary.value.baudRate).to.equal(115200)
    expect(secondary.value.baudRate).to.equal(115200)
    expect(primary.value.linkDisconnectMs).to.equal(12000)
    // Our stack at 9600 only against Linux' SNRM: 9600 bit/s, window 1, data 256 (400-byte capacity).
    const us = negotiate(defaultQos(), snrm.info.qos)
    expect(us.ok && us.value).to.include({ baudRate: 9600, txWindowSize: 1, txDataSize: 256, txMinTurnaroundMs: 5 })
  })
})
