import { expect } from 'chai'
import { Room } from './room.js'
import fc from 'fast-check'
import { firWrap } from '@irdakit/phy'
import { errorsOf, hex, record, txDone, uiFrame } from './test-util.js'

describe('emulator/EmulatedPort contract', () => {
  it('defaults: 9600 b/s, every IrDA speed up to 4 Mb/s, idle medium, zero counters', () => {
    const room = new Room({ time: 'virtual' })
    const p = room.port('a', { supportedSpeeds: [115200, 9600] })
    const q = room.port('b')
    expect(q.speed).to.equal(9600)
    expect(q.supportedSpeeds).to.deep.equal([2400, 9600, 19200, 38400, 57600, 115200, 576000, 1152000, 4000000])
    expect(p.supportedSpeeds).to.deep.equal([9600, 115200])
    expect(q.mediaBusy).to.equal(false)
    expect(q.clock).to.equal(room.clock)
    expect(q.stats).to.deep.equal({ framesSent: 0, bytesSent: 0, framesReceived: 0, bytesReceived: 0, rxErrors: { fcs: 0, abort: 0, overrun: 0, runt: 0, garbage: 0 } })
  })

  it('counts what it sends and receives; stats are a snapshot; unsubscribed listeners hear nothing', async () => {
    const room = new Room({ time: 'virtual' })
    const a = room.port('a'); const b = room.port('b')
    const snapshot = b.stats
    const heard: string[] = []
    const off = b.listen(ev => heard.push(ev.type))
    a.send(uiFrame([1, 2, 3])); a.send(uiFrame([4]))
    await room.run(txDone(a))
    off()
    a.send(uiFrame([5]))
    await room.run(txDone(a))
    expect(heard).to.deep.equal(['media', 'media', 'frame', 'media', 'media', 'frame'])
    expect(a.stats).to.include({ framesSent: 3, bytesSent: 5 + 3 + 3 })
    expect(b.stats).to.include({ framesReceived: 3, bytesReceived: 11 })
    expect(snapshot.framesReceived).to.equal(0)
  })

  it('sends the bytes a frame had when it was queued, even if the caller reuses its array, at 4 Mb/s too', async () => {
    for (const speed of [9600, 4000000]) {
      const room = new Room({ time: 'virtual' })
      const a = room.port('a', { speed }); const b = room.port('b', { speed })
      const got: string[] = []
      b.listen(ev => { if (ev.type === 'frame') got.push(Buffer.from(ev.frame).toString('hex')) })
      const frame = new Uint8Array(2050).fill(0x11)
      frame[0] = 0xFF; frame[1] = 0x13
      a.send(uiFrame([7])) // on the air at once: the next frame waits in the queue
      a.send(frame)
      frame.fill(0x22, 2) // reused while it still waits
      await room.run(txDone(a))
      expect(got).to.deep.equal([Buffer.from(uiFrame([7])).toString('hex'), `ff13${'11'.repeat(2048)}`])
    }
  })

  it('4 Mb/s: a receiver handed the sent wire bytes unharmed reports what decoding them reports, also after a cut-off packet', async () => {
    const room = new Room({ time: 'virtual' })
    const fast = room.port('fast', { speed: 4000000 })
    const plain = room.port('plain', { speed: 4000000 })
    const shortcut = record(fast)
    const decoded = record(plain)
    const frames = [uiFrame([1, 2, 3]), uiFrame(new Uint8Array(2048).fill(0x7E)), uiFrame([])]
    let t = 0
    for (const frame of frames) {
      const wire = firWrap(frame)
      const cut = wire.subarray(0, 50) // a packet whose end never came: the receiver is mid-frame
      for (const [bytes, sent] of [[cut, undefined], [wire, frame], [wire, frame]] as const) {
        t++
        fast.deliver({ type: 'receive', station: 'fast', txId: t, bytes, at: t }, sent)
        plain.deliver({ type: 'receive', station: 'plain', txId: t, bytes, at: t })
      }
    }
    expect(shortcut.map(e => e.type === 'frame' ? hex(e.frame) : e.type === 'rx-error' ? e.reason : e.type))
      .to.deep.equal(decoded.map(e => e.type === 'frame' ? hex(e.frame) : e.type === 'rx-error' ? e.reason : e.type))
    expect(errorsOf(shortcut)).to.deep.equal(['abort', 'abort', 'abort'])
    expect(fast.stats).to.deep.equal(plain.stats)
  })

  it('a speed change alone is not a transmission: no tx-done', async () => {
    const room = new Room({ time: 'virtual' })
    const a = room.port('a')
    const ev = record(a)
    await room.run(a.setSpeed(115200))
    expect(a.speed).to.equal(115200)
    expect(ev).to.deep.equal([])
  })

  it('counts noise that never formed a frame as garbage', async () => {
    const room = new Room({ time: 'virtual', seed: 1 })
    const a = room.port('a', { speed: 9600 }); const b = room.port('b', { speed: 115200 })
    const got = record(b)
    a.send(uiFrame(new Uint8Array(40)))
    await room.run(txDone(a))
    const errors = errorsOf(got)
    expect(errors.length).to.be.greaterThan(0)
    expect(b.stats.rxErrors.garbage + b.stats.rxErrors.fcs + b.stats.rxErrors.abort + b.stats.rxErrors.runt + b.stats.rxErrors.overrun).to.equal(errors.length)
    expect(b.stats.framesReceived).to.equal(0)
  })

  it('room.close closes every port with a closed event and empties the room', async () => {
    const room = new Room({ time: 'virtual' })
    const a = room.port('a'); const b = room.port('b')
    const ea = record(a); const eb = record(b)
    await room.close()
    expect(ea.map(e => e.type)).to.deep.equal(['closed'])
    expect(eb.map(e => e.type)).to.deep.equal(['closed'])
    expect(room.stations).to.deep.equal([])
    expect(() => room.port('c')).to.throw(/closed/)
  })
})

describe('emulator/EmulatedPort whole-delivery receive', () => {
  // The port feeds each delivery to the unwrapper in one piece unless told a chunk size (it
  // used to feed 16 bytes at a time): the frames and errors must be exactly the same.
  it('gives the same frames and errors, in order, as feeding 16 bytes at a time, under bit errors', async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(115200, 1152000, 4000000),
      fc.integer({ min: 1, max: 1000 }),
      fc.array(fc.uint8Array({ minLength: 0, maxLength: 300 }), { minLength: 1, maxLength: 8 }),
      async (speed, seed, payloads) => {
        const heard = async (opts: { rxChunkSize?: number }): Promise<string[]> => {
          const room = new Room({ time: 'virtual', seed })
          const a = room.port('a', { speed }); const b = room.port('b', { speed, ...opts })
          room.faults({ ber: 3e-4 })
          const got = record(b)
          for (const p of payloads) a.send(uiFrame(p), { xbofs: 2 })
          await room.run(txDone(a))
          return got.flatMap(e => e.type === 'frame' ? [`frame ${hex(e.frame)}`] : e.type === 'rx-error' ? [`error ${e.reason}`] : [])
        }
        const whole = await heard({})
        expect(whole).to.deep.equal(await heard({ rxChunkSize: 16 }))
        expect(whole.length).to.be.greaterThan(0)
      }), { numRuns: 80 })
  })
})
