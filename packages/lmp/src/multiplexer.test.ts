import { expect } from 'chai'
import fc from 'fast-check'
import { SeededRandom } from '@irdakit/core'
import type { LapEvent } from '@irdakit/lap'
import { IrlmpMultiplexer, IasReturn, LmLinkBusyError, userString, decodeText, emitLmpPdu, type LmEvent } from '@irdakit/lmp'

/**
 * Two multiplexers over an ideal in-memory IrLAP: what one asks of IrLAP becomes the other's
 * IrLAP events, in order, at once. Enough to test IrLMP without a station or a medium.
 */
class Pair {
  now = 0
  readonly a: IrlmpMultiplexer
  readonly b: IrlmpMultiplexer
  readonly ev = { a: [] as LmEvent[], b: [] as LmEvent[] }
  readonly wire: Array<{ from: 'a' | 'b', data: Uint8Array }> = []
  linkUp = false
  dropData = false

  constructor (readonly dataSize = 2048) {
    this.a = new IrlmpMultiplexer({ discoveryInfo: { hints: Uint8Array.of(0x84, 0x04), charset: 0, nickname: 'alpha' }, random: new SeededRandom(1) })
    this.b = new IrlmpMultiplexer({ discoveryInfo: { hints: Uint8Array.of(0x20), charset: 0, nickname: 'bravo' }, random: new SeededRandom(2) })
  }

  static readonly ADDR = { a: 0xA0A0A0A0, b: 0xB0B0B0B0 }

  private mux (s: 'a' | 'b'): IrlmpMultiplexer { return s === 'a' ? this.a : this.b }

  private lapEvent (to: 'a' | 'b', e: unknown): void { this.mux(to).handleLapEvent(this.now, e as LapEvent) }

  /** Runs until neither side has anything to say. */
  pump (): void {
    for (let guard = 0; guard < 10000; guard++) {
      let moved = false
      for (const s of ['a', 'b'] as const) {
        const o = s === 'a' ? 'b' : 'a'
        const m = this.mux(s)
        for (let r = m.pollLapRequest(); r !== undefined; r = m.pollLapRequest()) {
          moved = true
          switch (r.type) {
            case 'connect': this.lapEvent(o, { type: 'connect-indication', deviceAddress: Pair.ADDR[s], qos: {} }); break
            case 'connect-response':
              this.linkUp = true
              this.lapEvent(s, { type: 'connect-confirm', deviceAddress: Pair.ADDR[o], params: { txDataSize: this.dataSize } })
              this.lapEvent(o, { type: 'connect-confirm', deviceAddress: Pair.ADDR[s], params: { txDataSize: this.dataSize } })
              break
            case 'disconnect':
              this.linkUp = false
              this.lapEvent(o, { type: 'disconnect-indication', reason: 'remote-request' })
              this.lapEvent(s, { type: 'disconnect-indication', reason: 'user-request' })
              break
            case 'data':
              expect(r.data.length, 'PDU within the IrLAP data size').to.be.at.most(this.dataSize)
              this.wire.push({ from: s, data: r.data })
              if (!this.dropData) this.lapEvent(o, { type: 'data-indication', data: r.data })
              break
            case 'unitdata': this.lapEvent(o, { type: 'unitdata-indication', data: r.data, broadcast: false }); break
            case 'discovery':
              this.lapEvent(o, { type: 'discovery-indication', device: { deviceAddress: Pair.ADDR[s], info: m.discoveryInfoBytes() } })
              this.lapEvent(s, { type: 'discovery-confirm', status: 'ok', devices: [{ deviceAddress: Pair.ADDR[o], info: this.mux(o).discoveryInfoBytes() }], conflicts: [] })
              break
          }
        }
        for (let e = m.pollEvent(); e !== undefined; e = m.pollEvent()) { moved = true; this.ev[s].push(e) }
      }
      if (!moved) return
    }
    throw new Error('pump did not settle')
  }

  /** Advances time to `t`, firing timers. */
  advance (t: number): void {
    for (;;) {
      const d = [this.a.nextDeadline(), this.b.nextDeadline()].filter((x): x is number => x !== undefined && x <= t)
      if (d.length === 0) break
      this.now = Math.min(...d)
      this.a.poll(this.now); this.b.poll(this.now); this.pump()
    }
    this.now = t
  }

  take (s: 'a' | 'b', type: LmEvent['type']): LmEvent[] {
    const hit = this.ev[s].filter(e => e.type === type)
    this.ev[s] = this.ev[s].filter(e => e.type !== type)
    return hit
  }
}

function connectPair (p: Pair, lsap: number, userData = new Uint8Array(0)): { ca: number, cb: number } {
  const ca = p.a.connect(p.now, { deviceAddress: Pair.ADDR.b, remoteLsap: lsap, userData })
  p.pump()
  const ind = p.take('b', 'connect-indication')[0]
  if (ind?.type !== 'connect-indication') throw new Error('no connect indication')
  p.b.accept(p.now, ind.conn)
  p.pump()
  expect(p.take('a', 'connect-confirm').map(e => (e as { conn: number }).conn)).to.deep.equal([ca])
  return { ca, cb: ind.conn }
}

describe('lmp/IrlmpMultiplexer', () => {
  it('opens the IrLAP link on the first LSAP connect and carries connect user data', () => {
    const p = new Pair()
    const svc = p.b.listen(0x10)
    const ca = p.a.connect(0, { deviceAddress: Pair.ADDR.b, remoteLsap: svc, userData: Uint8Array.of(0x10) })
    expect(p.a.pollLapRequest()).to.deep.equal({ type: 'connect', deviceAddress: Pair.ADDR.b })
    p.a.handleLapEvent(0, { type: 'connect-confirm', deviceAddress: Pair.ADDR.b, params: { txDataSize: 2048 } } as unknown as LapEvent)
    const req = p.a.pollLapRequest()
    expect(req?.type).to.equal('data')
    // 0x80|0x10 dlsap, slsap, opcode connect, reserved, user data (a TinyTP connect with credit 16).
    expect(Array.from((req as { data: Uint8Array }).data).slice(2)).to.deep.equal([0x01, 0x00, 0x10])
    expect((req as { data: Uint8Array }).data[0]).to.equal(0x90)
    expect(ca).to.be.a('number')
  })

  it('runs several LSAP connections over one link in both directions at once', () => {
    const p = new Pair()
    p.b.listen(0x10); p.b.listen(0x11); p.a.listen(0x12)
    const x = connectPair(p, 0x10)
    const y = connectPair(p, 0x11)
    // and one opened by the other side over the same link
    const cb = p.b.connect(p.now, { deviceAddress: Pair.ADDR.a, remoteLsap: 0x12 })
    p.pump()
    const ind = p.take('a', 'connect-indication')[0] as { conn: number }
    p.a.accept(p.now, ind.conn); p.pump()
    expect(p.take('b', 'connect-confirm')).to.have.length(1)
    for (let i = 0; i < 20; i++) {
      p.a.send(p.now, x.ca, Uint8Array.of(1, i)); p.a.send(p.now, y.ca, Uint8Array.of(2, i))
      p.b.send(p.now, x.cb, Uint8Array.of(3, i)); p.b.send(p.now, cb, Uint8Array.of(4, i))
    }
    p.pump()
    const gotB = p.take('b', 'data-indication') as Array<{ conn: number, data: Uint8Array }>
    const gotA = p.take('a', 'data-indication') as Array<{ conn: number, data: Uint8Array }>
    expect(gotB.filter(e => e.conn === x.cb).map(e => e.data[1])).to.deep.equal([...Array(20).keys()])
    expect(gotB.filter(e => e.conn === y.cb).map(e => e.data[0])).to.deep.equal(Array(20).fill(2))
    expect(gotA.filter(e => e.conn === x.ca).map(e => e.data[0])).to.deep.equal(Array(20).fill(3))
    expect(gotA.filter(e => e.conn === ind.conn).map(e => e.data[1])).to.deep.equal([...Array(20).keys()])
    expect(p.a.linkState().state).to.equal('up')
  })

  it('refuses a connect to an unbound selector with reason 0x08 (no available client)', () => {
    const p = new Pair()
    const ca = p.a.connect(0, { deviceAddress: Pair.ADDR.b, remoteLsap: 0x33 })
    p.pump()
    const d = p.take('a', 'disconnect-indication')
    expect(d).to.deep.equal([{ type: 'disconnect-indication', conn: ca, reason: 0x08, cause: 'no-client', userData: new Uint8Array(0) }])
  })

  it('drops and counts connection PDUs on the connectionless selector 0x70 or the reserved 0x71-0x7f (IrLMP 1.1 3.3)', () => {
    const p = new Pair()
    p.b.listen(0x10)
    connectPair(p, 0x10) // the link is up
    const before = p.b.stats.malformed
    const sent = p.wire.length
    for (const [dlsap, slsap] of [[0x00, 0x70], [0x10, 0x70], [0x70, 0x22], [0x10, 0x7F]]) {
      p.b.handleLapEvent(p.now, { type: 'data-indication', data: emitLmpPdu({ kind: 'connect', dlsap, slsap, userData: new Uint8Array(0) }) } as LapEvent)
    }
    p.pump()
    expect(p.wire.length - sent, 'nothing answered: no connect confirm, no disconnect to a selector with no connections').to.equal(0)
    expect(p.take('b', 'connect-indication')).to.deep.equal([])
    expect(p.b.stats.malformed - before).to.equal(4)
  })

  it('accepts a reset IrLAP indicates: its connections end with reason 0x04, the link stays and IrLAP is told to answer', () => {
    const p = new Pair()
    p.b.listen(0x10)
    const { cb } = connectPair(p, 0x10)
    p.b.handleLapEvent(p.now, { type: 'reset-indication', origin: 'remote' } as LapEvent)
    const events: LmEvent[] = []
    for (let e = p.b.pollEvent(); e !== undefined; e = p.b.pollEvent()) events.push(e)
    expect(events.filter(e => e.type === 'disconnect-indication')).to.deep.equal([{ type: 'disconnect-indication', conn: cb, reason: 0x04, cause: 'link-reset', userData: new Uint8Array(0) }])
    const asked: unknown[] = []
    for (let r = p.b.pollLapRequest(); r !== undefined; r = p.b.pollLapRequest()) asked.push(r)
    expect(asked).to.deep.include({ type: 'reset-response' })
    expect(asked).to.not.deep.include({ type: 'disconnect' })
  })

  it('closes the link 2 s after the last LSAP connection ends', () => {
    const p = new Pair()
    p.b.listen(0x10)
    const { ca } = connectPair(p, 0x10)
    p.a.disconnect(p.now, ca, Uint8Array.of(9))
    p.pump()
    const d = p.take('b', 'disconnect-indication')[0] as { reason: number, userData: Uint8Array }
    expect(d.reason).to.equal(0x01)
    expect(Array.from(d.userData)).to.deep.equal([9])
    p.advance(1999)
    expect(p.linkUp).to.equal(true)
    p.advance(2000)
    expect(p.linkUp).to.equal(false)
    expect(p.a.linkState().state).to.equal('down')
  })

  it('ends every LSAP connection with reason 0x02 when the link is lost', () => {
    const p = new Pair()
    p.b.listen(0x10); p.b.listen(0x11)
    const x = connectPair(p, 0x10); const y = connectPair(p, 0x11)
    p.a.handleLapEvent(p.now, { type: 'disconnect-indication', reason: 'link-lost' } as LapEvent)
    p.pump()
    const d = p.take('a', 'disconnect-indication') as Array<{ conn: number, cause: string, lapReason: string }>
    expect(d.map(e => [e.conn, e.cause, e.lapReason])).to.deep.equal([[x.ca, 'link-lost', 'link-lost'], [y.ca, 'link-lost', 'link-lost']])
    expect(() => p.a.send(p.now, x.ca, Uint8Array.of(1))).to.throw(/not open/)
  })

  it('reports 0x03 (link failed) to connects whose link never came up', () => {
    const p = new Pair()
    const ca = p.a.connect(0, { deviceAddress: Pair.ADDR.b, remoteLsap: 0x10 })
    p.a.pollLapRequest()
    p.a.handleLapEvent(0, { type: 'disconnect-indication', reason: 'no-answer' } as LapEvent)
    expect(p.a.pollEvent()).to.deep.include({ type: 'link-down' })
    expect(p.a.pollEvent()).to.deep.include({ type: 'disconnect-indication', conn: ca, reason: 0x03, cause: 'link-failed' })
  })

  it('gives up on a peer that never answers an LSAP connect (0x07) after the connect timeout', () => {
    const p = new Pair()
    p.b.listen(0x10)
    p.a.connect(0, { deviceAddress: Pair.ADDR.b, remoteLsap: 0x10 })
    p.pump()
    expect(p.take('b', 'connect-indication')).to.have.length(1) // ...and B's user never answers it
    p.advance(4999)
    expect(p.take('a', 'disconnect-indication')).to.have.length(0)
    p.advance(5000)
    expect(p.take('a', 'disconnect-indication').map(e => (e as { cause: string }).cause)).to.deep.equal(['non-responsive'])
    expect(p.take('b', 'disconnect-indication').map(e => (e as { reason: number }).reason)).to.deep.equal([0x07])
  })

  it('writes the data PDU header into the headroom a caller leaves in front of its data, and copies otherwise', () => {
    const p = new Pair()
    p.b.listen(0x10)
    const { ca, cb } = connectPair(p, 0x10)
    const room = Uint8Array.of(0xEE, 0xEE, 7, 8, 9)
    p.a.send(p.now, ca, room.subarray(2), room) // header in place
    const other = Uint8Array.of(0xEE, 0xEE, 1, 2)
    p.a.send(p.now, ca, Uint8Array.of(5, 6), other) // not the data's own room: copied, left alone
    p.pump()
    expect(room[0]).to.not.equal(0xEE)
    expect([...other]).to.deep.equal([0xEE, 0xEE, 1, 2])
    const got = p.take('b', 'data-indication') as Array<{ conn: number, data: Uint8Array }>
    expect(got.map(e => [e.conn, ...e.data])).to.deep.equal([[cb, 7, 8, 9], [cb, 5, 6]])
  })

  it('answers data on a closed LSAP connection with a disconnect (0x06)', () => {
    const p = new Pair()
    p.b.listen(0x10)
    const { ca, cb } = connectPair(p, 0x10)
    p.b.disconnect(p.now, cb); p.dropData = true; p.pump(); p.dropData = false
    p.a.send(p.now, ca, Uint8Array.of(1)); p.pump()
    expect(p.take('a', 'disconnect-indication').map(e => (e as { reason: number }).reason)).to.deep.equal([0x06])
  })

  it('queries the peer IAS (present, missing class, missing attribute) and closes the IAS connection', () => {
    const p = new Pair()
    p.b.ias.set('Echo', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: 0x10 })
    const q1 = p.a.iasQuery(0, Pair.ADDR.b, 'Echo', 'IrDA:TinyTP:LsapSel')
    const q2 = p.a.iasQuery(0, Pair.ADDR.b, 'Nope', 'IrDA:TinyTP:LsapSel')
    const q3 = p.a.iasQuery(0, Pair.ADDR.b, 'Echo', 'Nope')
    const q4 = p.a.iasQuery(0, Pair.ADDR.b, 'Device', 'DeviceName')
    p.pump()
    const r = new Map(p.take('a', 'ias-result').map(e => [(e as { query: number }).query, (e as { result: unknown }).result]))
    expect(r.get(q1)).to.deep.equal({ ok: true, returnCode: 0, entries: [{ objectId: 1, value: { type: 'integer', value: 0x10 } }] })
    expect(r.get(q2)).to.deep.include({ ok: true, returnCode: IasReturn.NO_SUCH_CLASS })
    expect(r.get(q3)).to.deep.include({ ok: true, returnCode: IasReturn.NO_SUCH_ATTRIBUTE })
    const name = (r.get(q4) as { entries: Array<{ value: { value: Uint8Array, charset: number } }> }).entries[0].value
    expect(decodeText(name.value, name.charset)).to.equal('bravo')
    expect(p.b.stats.iasQueriesServed).to.equal(4)
    expect(p.a.connections()).to.deep.equal([])
  })

  it('carries a 1024-byte IAS value over a 64-byte link in acknowledged frames', () => {
    const p = new Pair(64)
    const big = Uint8Array.from({ length: 1024 }, (_, i) => (i * 7) & 0xFF)
    p.b.ias.set('IrDA:IrCOMM', 'Parameters', { type: 'octets', value: big })
    p.b.ias.set('IrDA:IrCOMM', 'Motd', userString('x'.repeat(255)))
    const q = p.a.iasQuery(0, Pair.ADDR.b, 'IrDA:IrCOMM', 'Parameters')
    p.pump()
    const res = p.take('a', 'ias-result')[0] as { query: number, result: { ok: boolean, entries: Array<{ value: { value: Uint8Array } }> } }
    expect(res.query).to.equal(q)
    expect(res.result.ok).to.equal(true)
    expect(Array.from(res.result.entries[0].value.value)).to.deep.equal(Array.from(big))
    // 1024 bytes need many frames; every one but the last was acknowledged by an Ack frame (0x44).
    const fromB = p.wire.filter(w => w.from === 'b' && (w.data[0] & 0x80) === 0)
    const iapFrames = fromB.filter(w => w.data.length > 2 && (w.data[2] & 0x3F) === 4)
    const acks = p.wire.filter(w => w.from === 'a' && w.data.length === 3 && w.data[2] === 0x44)
    expect(iapFrames.length).to.be.greaterThan(16)
    expect(acks.length).to.equal(iapFrames.length - 1)
  })

  it('fails pending IAS queries when the link drops', () => {
    const p = new Pair()
    const q = p.a.iasQuery(0, Pair.ADDR.b, 'Echo', 'X')
    p.a.pollLapRequest()
    p.a.handleLapEvent(0, { type: 'disconnect-indication', reason: 'no-answer' } as LapEvent)
    const ev = [p.a.pollEvent(), p.a.pollEvent()].find(e => e?.type === 'ias-result') as { query: number, result: { ok: boolean, cause: string } }
    expect(ev.query).to.equal(q)
    expect(ev.result).to.deep.include({ ok: false, cause: 'link-failed' })
  })

  it('grants exclusive mode only to the link\'s only connection and then refuses new connects', () => {
    const p = new Pair()
    p.b.listen(0x10); p.b.listen(0x11)
    const x = connectPair(p, 0x10)
    p.a.accessMode(p.now, x.ca, 'exclusive'); p.pump()
    expect(p.take('a', 'access-mode-confirm')).to.deep.equal([{ type: 'access-mode-confirm', conn: x.ca, status: 'success', mode: 'exclusive' }])
    expect(p.take('b', 'access-mode-indication')).to.have.length(1)
    expect(() => p.a.connect(p.now, { deviceAddress: Pair.ADDR.b, remoteLsap: 0x11 })).to.throw(LmLinkBusyError)
    // exclusive mode holds on both ends of the link...
    expect(() => p.b.connect(p.now, { deviceAddress: Pair.ADDR.a, remoteLsap: 0x22 })).to.throw(LmLinkBusyError)
    // ...and a connect PDU that arrives anyway is refused by link management (reason 0x05)
    p.a.handleLapEvent(p.now, { type: 'data-indication', data: Uint8Array.of(0x80 | 0x22, 0x33, 0x01, 0x00) } as LapEvent)
    expect(Array.from((p.a.pollLapRequest() as { data: Uint8Array }).data)).to.deep.equal([0x80 | 0x33, 0x22, 0x02, 0x05])
    p.a.accessMode(p.now, x.ca, 'multiplexed'); p.pump()
    expect(p.take('a', 'access-mode-confirm')[0]).to.deep.include({ status: 'success', mode: 'multiplexed' })
    const y = connectPair(p, 0x11)
    p.a.accessMode(p.now, y.ca, 'exclusive'); p.pump()
    expect(p.take('a', 'access-mode-confirm')[0]).to.deep.include({ status: 'failure' })
  })

  it('delivers connectionless data on selector 0x70', () => {
    const p = new Pair()
    p.a.sendConnectionless(Uint8Array.of(1, 2, 3)); p.pump()
    expect(p.take('b', 'connectionless-indication')).to.deep.equal([{ type: 'connectionless-indication', sourceLsap: 0x70, data: Uint8Array.of(1, 2, 3) }])
  })

  it('keeps a discovery log with nicknames and hints, filters by hint and expires old entries', () => {
    const p = new Pair()
    p.a.discover(6); p.pump()
    const conf = p.take('a', 'discovery-confirm')[0] as { devices: Array<{ nickname: string, deviceAddress: number }> }
    expect(conf.devices.map(d => [d.nickname, d.deviceAddress])).to.deep.equal([['bravo', Pair.ADDR.b]])
    const ind = p.take('b', 'discovery-indication')[0] as { device: { nickname: string, hints: Uint8Array } }
    expect(ind.device.nickname).to.equal('alpha')
    expect(Array.from(ind.device.hints)).to.deep.equal([0x84, 0x04])
    expect(p.b.discoveryLog(0, 0x0400).map(d => d.nickname)).to.deep.equal(['alpha'])  // IrCOMM hint
    expect(p.b.discoveryLog(0, 0x2000)).to.deep.equal([])                                // OBEX hint
    expect(p.a.discoveryLog(10000)).to.have.length(1)
    expect(p.a.discoveryLog(10001)).to.have.length(0)
  })

  it('allocates distinct selectors and refuses a second bind of the same one', () => {
    const p = new Pair()
    const s = new Set(Array.from({ length: 50 }, () => p.a.listen()))
    expect(s.size).to.equal(50)
    for (const x of s) expect(x).to.be.within(1, 0x6F)
    expect(() => p.a.listen([...s][0])).to.throw(/already bound/)
    expect(() => p.a.listen(0x70)).to.throw(/0x01-0x6F/)
  })

  it('never throws on arbitrary IrLAP data (fuzz), and counts what it cannot parse', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 30 }), { maxLength: 30 }), frames => {
      const p = new Pair()
      p.b.listen(0x10)
      connectPair(p, 0x10)
      for (const f of frames) p.b.handleLapEvent(p.now, { type: 'data-indication', data: f } as LapEvent)
      p.pump()
      expect(p.b.stats.malformed + p.b.stats.pdusReceived).to.be.at.least(frames.length)
    }), { numRuns: 300 })
  })
})
