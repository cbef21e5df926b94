import { expect } from 'chai'
import { LinkError, LocalProtocolError, StalledError } from '@irdakit/core'
import { Room } from './room.js'
import { at, errorsOf, framesOf, hex, record, recordTap, txDone, uiFrame } from './test-util.js'

/** 10 bytes whose SIR encoding needs no escapes: 10 XBOFs + BOF + 10 + FCS 2 + EOF = 24 wire bytes. */
const TEN = Uint8Array.from([0x03, 0x93, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x18])

describe('emulator/Room timing', () => {
  it('a 10-byte frame with 10 XBOFs takes exactly 25 ms at 9600 and arrives at its end', async () => {
    const room = new Room({ time: 'virtual' })
    const a = room.port('a'); const b = room.port('b')
    const got = record(b); const taps = recordTap(room)
    a.send(TEN, { xbofs: 10 })
    await room.run(txDone(a))
    expect(taps).to.have.length(1)
    expect(taps[0].wire.length).to.equal(24)
    expect(taps[0].start).to.equal(0)
    expect(taps[0].end).to.equal(25)
    expect(framesOf(got)).to.deep.equal([{ at: 25, hex: hex(TEN) }])
    expect(taps[0].receptions).to.deep.equal([{ station: 'b', heard: true, effects: [], result: 'good' }])
  })

  it('the same frame takes 240/115.2 ms at 115200', async () => {
    const room = new Room({ time: 'virtual' })
    const a = room.port('a', { speed: 115200 }); const b = room.port('b', { speed: 115200 })
    const got = record(b)
    a.send(TEN, { xbofs: 10 })
    const done = await room.run(txDone(a))
    expect(done).to.be.closeTo(240 / 115.2, 1e-9)
    expect(framesOf(got)).to.have.length(1)
    expect(framesOf(got)[0].at).to.be.closeTo(2.0833333333, 1e-9)
  })

  it('queued frames go out back to back and tx-done fires once, when the queue drains', async () => {
    const room = new Room({ time: 'virtual' })
    const a = room.port('a'); room.port('b')
    const ev = record(a); const taps = recordTap(room)
    a.send(TEN, { xbofs: 10 }); a.send(TEN, { xbofs: 10 }); a.send(TEN)
    await room.run(txDone(a))
    expect(taps.map(t => [t.start, t.end])).to.deep.equal([[0, 25], [25, 50], [50, 50 + 14 * 10 / 9.6]])
    expect(ev.filter(e => e.type === 'tx-done').map(e => e.at)).to.deep.equal([taps[2].end])
    expect(a.stats.framesSent).to.equal(3)
    expect(a.stats.bytesSent).to.equal(30)
  })

  it('a reply waits for the minimum turnaround after a reception, later frames do not', async () => {
    const room = new Room({ time: 'virtual' })
    const a = room.port('a'); const b = room.port('b')
    b.setMinTurnaround(10)
    const taps = recordTap(room)
    b.listen(ev => { if (ev.type === 'frame') { b.send(TEN); b.send(TEN) } })
    a.send(TEN, { xbofs: 10 })
    await room.run(new Promise<void>(resolve => { b.listen(ev => { if (ev.type === 'tx-done') resolve() }) }))
    const wire14 = 14 * 10 / 9.6
    expect(taps.map(t => [t.sender, t.start])).to.deep.equal([['a', 0], ['b', 35], ['b', 35 + wire14]])
  })

  it('setSpeed takes effect after the frames queued before it, and resolves then', async () => {
    const room = new Room({ time: 'virtual' })
    const a = room.port('a'); const b = room.port('b')
    const taps = recordTap(room)
    a.send(TEN, { xbofs: 10 }); a.send(TEN, { xbofs: 10 })
    let resolvedAt = -1
    const change = a.setSpeed(115200).then(() => { resolvedAt = room.clock.now() })
    a.send(TEN, { xbofs: 10 })
    await room.run(Promise.all([change, txDone(a)]))
    expect(resolvedAt).to.equal(50)
    expect(taps.map(t => t.speed)).to.deep.equal([9600, 9600, 115200])
    expect(taps[2].start).to.equal(50)
    expect(taps[2].receptions[0].effects).to.deep.equal(['speed-mismatch'])
    expect(b.speed).to.equal(9600)
    expect(a.speed).to.equal(115200)
  })
})

describe('emulator/Room at MIR and FIR', () => {
  it('FIR: a 10-byte frame is 16 preamble pairs, two 4-byte flags and 28 data bytes on the wire: 68 us', async () => {
    const room = new Room({ time: 'virtual' })
    const a = room.port('a', { speed: 4_000_000 }); const b = room.port('b', { speed: 4_000_000 })
    const got = record(b); const taps = recordTap(room)
    a.send(TEN, { xbofs: 10 }) // XBOFs exist only in SIR
    await room.run(txDone(a))
    expect(taps[0].wire.length).to.equal(68)
    expect(taps[0].end).to.be.closeTo(0.068, 1e-12)
    expect(framesOf(got).map(f => f.hex)).to.deep.equal([hex(TEN)])
  })

  for (const speed of [576_000, 1_152_000, 4_000_000]) {
    it(`${speed} b/s: bit errors and collisions lose frames, never deliver them damaged`, async () => {
      const room = new Room({ time: 'virtual', seed: speed })
      const a = room.port('a', { speed }); const b = room.port('b', { speed }); const c = room.port('c', { speed })
      const gotC = record(c); const taps = recordTap(room)
      room.faults({ ber: 2e-4 })
      for (let i = 0; i < 200; i++) a.send(uiFrame(Array.from({ length: 100 }, (_, k) => (i + k) & 0xFF)))
      await room.run(txDone(a))
      b.send(uiFrame([1, 2, 3])); a.send(uiFrame([4, 5, 6]))
      await room.run(Promise.all([txDone(a), txDone(b)]))
      const results = taps.map(t => t.receptions.find(r => r.station === 'c')?.result)
      const expectedLoss = taps.slice(0, 200).reduce((x, t) => x + 1 - Math.pow(1 - 2e-4, t.wire.length * 8), 0) / 200
      expect(results.slice(0, 200).filter(r => r === 'bad').length / 200).to.be.closeTo(expectedLoss, 0.1)
      expect(results).to.not.include('undetected')
      expect(results.slice(200)).to.deep.equal(['bad', 'bad'])
      expect(framesOf(gotC).length).to.equal(results.filter(r => r === 'good').length)
    })
  }
})

describe('emulator/Room medium', () => {
  it('half duplex: a frame sent while the receiver transmits is not heard', async () => {
    const room = new Room({ time: 'virtual' })
    const a = room.port('a'); const b = room.port('b')
    const gotB = record(b); const taps = recordTap(room)
    b.send(uiFrame(new Uint8Array(100)))
    await room.run(at(room, 10))
    a.send(TEN)
    await room.run(Promise.all([txDone(a), txDone(b)]))
    const fromA = taps.find(t => t.sender === 'a')
    expect(fromA?.receptions).to.deep.equal([{ station: 'b', heard: false, missed: 'deaf', effects: [], result: 'missed' }])
    expect(framesOf(gotB)).to.deep.equal([])
    expect(errorsOf(gotB)).to.deep.equal([])
    // a was deaf for part of b's frame, so it lost that frame too.
    expect(taps.find(t => t.sender === 'b')?.receptions[0]).to.include({ heard: true, result: 'bad' })
  })

  it('a collision corrupts both frames for every receiver', async () => {
    const room = new Room({ time: 'virtual' })
    const a = room.port('a'); const b = room.port('b'); const c = room.port('c')
    const gotC = record(c); const taps = recordTap(room)
    a.send(uiFrame(new Uint8Array(30).fill(0x41)))
    await room.run(at(room, 5))
    b.send(uiFrame(new Uint8Array(30).fill(0x42)))
    await room.run(Promise.all([txDone(a), txDone(b)]))
    expect(framesOf(gotC)).to.deep.equal([])
    expect(errorsOf(gotC).length).to.be.greaterThan(0)
    for (const t of taps) {
      const atC = t.receptions.find(r => r.station === 'c')
      expect(atC?.effects).to.include('collision')
      expect(atC?.result).to.equal('bad')
    }
  })

  it('a collision that only touches the later frame\'s XBOFs still costs that frame', async () => {
    const room = new Room({ time: 'virtual' })
    const a = room.port('a'); const b = room.port('b'); const c = room.port('c')
    const gotC = record(c)
    a.send(TEN)
    await room.run(at(room, 14 * 10 / 9.6 - 1)) // one ms before a's frame ends
    b.send(TEN, { xbofs: 48 })
    await room.run(Promise.all([txDone(a), txDone(b)]))
    expect(framesOf(gotC)).to.deep.equal([])
  })

  it('reports media busy while someone else transmits, and idle after', async () => {
    const room = new Room({ time: 'virtual' })
    const a = room.port('a'); const b = room.port('b')
    const gotB = record(b); const gotA = record(a)
    a.send(TEN, { xbofs: 10 })
    let busyMidway: boolean | undefined
    room.clock.setTimer(12, () => { busyMidway = b.mediaBusy })
    await room.run(txDone(a))
    expect(busyMidway).to.equal(true)
    expect(b.mediaBusy).to.equal(false)
    expect(gotB.filter(e => e.type === 'media')).to.deep.equal([{ type: 'media', busy: true, at: 0 }, { type: 'media', busy: false, at: 25 }])
    expect(gotA.filter(e => e.type === 'media')).to.deep.equal([])
  })

  it('a frame at another speed never arrives as a good frame', async () => {
    const room = new Room({ time: 'virtual', seed: 7 })
    const slow = room.port('slow'); const fast = room.port('fast', { speed: 115200 })
    const gotFast = record(fast); const gotSlow = record(slow)
    for (let i = 0; i < 50; i++) slow.send(uiFrame([i, 1, 2, 3, 4, 5, 6, 7]))
    await room.run(txDone(slow))
    for (let i = 0; i < 50; i++) fast.send(uiFrame([i, 1, 2, 3, 4, 5, 6, 7]), { xbofs: 100 })
    await room.run(txDone(fast))
    expect(framesOf(gotFast)).to.deep.equal([])
    expect(framesOf(gotSlow)).to.deep.equal([])
    expect(errorsOf(gotFast).length).to.be.greaterThan(0)
  })

  it('room.run rejects with StalledError instead of hanging', async () => {
    const room = new Room({ time: 'virtual' })
    room.port('a')
    let err: unknown
    try { await room.run(new Promise(() => {})) } catch (e) { err = e }
    expect(err).to.be.instanceOf(StalledError)
  })

  it('a real-time room delivers frames too', async () => {
    const room = new Room({ time: 'real' })
    const a = room.port('a', { speed: 115200 }); const b = room.port('b', { speed: 115200 })
    const frame = new Promise<Uint8Array>(resolve => b.listen(ev => { if (ev.type === 'frame') resolve(ev.frame) }))
    a.send(TEN)
    expect(hex(await room.run(frame))).to.equal(hex(TEN))
    await room.close()
  })
})

describe('emulator/Room API misuse', () => {
  it('rejects duplicate names, unsupported speeds, bad frames and use after close with typed errors', async () => {
    const room = new Room({ time: 'virtual' })
    const a = room.port('a', { supportedSpeeds: [9600, 115200] })
    expect(() => room.port('a')).to.throw(LocalProtocolError)
    expect(() => room.port('x', { speed: 4_000_000, supportedSpeeds: [9600] })).to.throw(LocalProtocolError)
    expect(() => a.send(new Uint8Array(1))).to.throw(LocalProtocolError)
    expect(() => a.send(TEN, { xbofs: -1 })).to.throw(LocalProtocolError)
    expect(() => a.setMinTurnaround(-1)).to.throw(LocalProtocolError)
    let err: unknown
    try { await a.setSpeed(57600) } catch (e) { err = e }
    expect(err).to.be.instanceOf(LocalProtocolError)
    expect(() => room.faults({ ber: 2 })).to.throw(LocalProtocolError)
    const ev = record(a)
    await a.close()
    expect(ev.map(e => e.type)).to.deep.equal(['closed'])
    expect(() => a.send(TEN)).to.throw(LinkError)
    expect(room.stations).to.deep.equal([])
    room.port('a')
  })

  it('closing a port rejects its pending speed change', async () => {
    const room = new Room({ time: 'virtual' })
    const a = room.port('a')
    a.send(TEN)
    const change = a.setSpeed(115200)
    await a.close()
    let err: unknown
    try { await change } catch (e) { err = e }
    expect(err).to.be.instanceOf(LinkError)
  })
})
