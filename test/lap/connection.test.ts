import { join } from 'node:path'
import { expect } from 'chai'
import { writePcap } from '@irdakit/capture'
import type { TapRecord } from '@irdakit/emulator'
import { expectCleanDecode, requireTshark } from '../helpers/tshark.js'
import { addStation, connect, dataOf, makeRoom, randomChunks, tempDir, transfer } from './harness.js'

describe('lap over the emulator: connection and QoS matrix', function () {
  const tmp = tempDir()
  after(() => { tmp.cleanup() })
  /** Every frame of the matrix, for one tshark pass. */
  const onAir: Array<{ timestampMs: number, frame: Uint8Array, direction: 'out' | 'in' }> = []
  const speeds = [9600, 115200, 4000000]
  const matrix: Array<{ a: Record<string, number | number[]>, b: Record<string, number | number[]> }> = []
  for (const sa of speeds) {
    for (const sb of speeds) {
      for (const [da, db] of [[64, 2048], [2048, 256], [1024, 1024]]) {
        for (const [wa, wb] of [[1, 7], [7, 3]]) {
          matrix.push({
            a: { speeds: [9600, sa], dataSize: da, windowSize: wa, minTurnaroundMs: 10, additionalBofs: 0, maxTurnaroundMs: 500 },
            b: { speeds: [9600, sb], dataSize: db, windowSize: wb, minTurnaroundMs: 0.5, additionalBofs: 12, maxTurnaroundMs: sb >= 115200 ? 100 : 500 },
          })
        }
      }
    }
  }

  it(`negotiates ${matrix.length} QoS combinations consistently, honours them, and moves data both ways`, async () => {
    let i = 0
    for (const m of matrix) {
      const room = makeRoom(i++)
      room.tap(r => onAir.push({ timestampMs: onAir.length, frame: r.frame, direction: r.sender === 'A' ? 'out' : 'in' }))
      const a = addStation(room, { name: 'A', deviceAddress: 0xA, qos: m.a as never }, 1)
      const b = addStation(room, { name: 'B', deviceAddress: 0xB, qos: m.b as never }, 2)
      await connect(room, a, b)
      const la = a.station.link
      const lb = b.station.link
      if (la === undefined || lb === undefined) throw new Error('no link')
      const label = JSON.stringify(m)
      const common = Math.max(...(m.a.speeds as number[]).filter(s => (m.b.speeds as number[]).includes(s)))
      expect(la.baudRate, label).to.equal(common)
      expect(lb.baudRate, label).to.equal(common)
      // What one sends, the other receives.
      expect(la.txDataSize, label).to.be.at.most(lb.rxDataSize)
      expect(lb.txDataSize, label).to.be.at.most(la.rxDataSize)
      expect(la.txWindowSize, label).to.be.at.most(lb.rxWindowSize)
      expect(lb.txWindowSize, label).to.be.at.most(la.rxWindowSize)
      expect(la.txMinTurnaroundMs, label).to.equal(0.5)
      expect(lb.txMinTurnaroundMs, label).to.equal(10)
      // Line capacity: a full window fits the holder's turn.
      for (const l of [la, lb]) {
        const cap = { 9600: 400, 115200: l.maxTurnaroundMs === 100 ? 960 : 4800, 4000000: l.maxTurnaroundMs === 100 ? 40000 : 200000 }[common] as number
        expect(l.txWindowSize * (l.txDataSize + 6 + l.txAdditionalBofs), label).to.be.at.most(cap)
      }
      const ab = randomChunks(6, la.txDataSize, i)
      const ba = randomChunks(4, lb.txDataSize, i + 1000)
      b.driver.act((st, now) => { for (const c of ba) st.dataRequest(now, c) })
      await transfer(room, a, b, ab)
      if (dataOf(a.driver.events).length < ba.length) await room.run(a.driver.waitFor(() => dataOf(a.driver.events).length >= ba.length, 0))
      expect(dataOf(b.driver.events), label).to.deep.equal(ab)
      expect(dataOf(a.driver.events), label).to.deep.equal(ba)
      await room.run(a.driver.disconnect())
      await room.close()
    }
  })

  it('tshark decodes every frame of the matrix cleanly (SNRM/UA with every parameter set)', function () {
    requireTshark(this)
    expect(onAir.length).to.be.greaterThan(matrix.length * 10)
    const path = join(tmp.dir, 'matrix.pcap')
    writePcap(path, onAir)
    expectCleanDecode(path, { frames: onAir.length })
  })

  it('a refusal goes out as DM and the primary reports it', async () => {
    const room = makeRoom(3)
    const a = addStation(room, { name: 'A', deviceAddress: 0xA }, 1)
    const b = addStation(room, { name: 'B', deviceAddress: 0xB, autoAccept: false }, 2)
    b.driver.on(ev => { if (ev.type === 'connect-indication') b.driver.act((st, now) => { st.disconnectRequest(now) }) })
    let err: unknown
    try { await room.run(a.driver.connect(0xB)) } catch (e) { err = e }
    expect(String(err)).to.contain('remote-dm')
    await room.close()
  })

  it('honours on the wire the XBOFs and minimum turnaround each side asked for, and switches speed after UA', async () => {
    const room = makeRoom(12)
    const taps: TapRecord[] = []
    room.tap(r => taps.push(r))
    const a = addStation(room, { name: 'A', deviceAddress: 0xA, qos: { speeds: [9600, 115200], minTurnaroundMs: 5, additionalBofs: 3 } }, 1)
    const b = addStation(room, { name: 'B', deviceAddress: 0xB, qos: { speeds: [9600, 115200], minTurnaroundMs: 1, additionalBofs: 24 } }, 2)
    await connect(room, a, b)
    await transfer(room, a, b, randomChunks(20, 300, 1))
    const ua = taps.findIndex(t => t.sender === 'B' && t.frame[1] === 0x73)
    expect(taps[ua].speed).to.equal(9600)
    const after = taps.slice(ua + 1)
    expect(after.length).to.be.greaterThan(20)
    for (const t of after) {
      expect(t.speed).to.equal(115200)
      expect(t.xbofs, t.sender).to.equal(t.sender === 'A' ? 24 : 3)
    }
    for (let i = 1; i < after.length; i++) {
      if (after[i].sender === after[i - 1].sender) continue
      // The receiver of the previous frame waited at least the turnaround its peer needs.
      const need = after[i].sender === 'A' ? 1 : 5
      expect(after[i].start - after[i - 1].end).to.be.at.least(need - 1e-9)
    }
    await room.close()
  })

  it('reports no answer after N3 SNRMs to a device that is not there', async () => {
    const room = makeRoom(4)
    const a = addStation(room, { name: 'A', deviceAddress: 0xA }, 1)
    let err: unknown
    const t0 = room.clock.now()
    try { await room.run(a.driver.connect(0x77)) } catch (e) { err = e }
    expect(String(err)).to.contain('no-answer')
    expect(room.clock.now() - t0).to.be.within(2000, 2300)
    await room.close()
  })

  it('both disconnect paths bring both sides back to NDM at 9600', async () => {
    for (const who of ['primary', 'secondary'] as const) {
      const room = makeRoom(9)
      const a = addStation(room, { name: 'A', deviceAddress: 0xA, qos: { speeds: [9600, 115200] } }, 1)
      const b = addStation(room, { name: 'B', deviceAddress: 0xB, qos: { speeds: [9600, 115200] } }, 2)
      await connect(room, a, b)
      const ends = [a.driver.next('disconnect-indication'), b.driver.next('disconnect-indication')]
      ;(who === 'primary' ? a : b).driver.act((st, now) => { st.disconnectRequest(now) })
      const [ea, eb] = await room.run(Promise.all(ends))
      expect(ea.reason).to.equal(who === 'primary' ? 'user-request' : 'remote-request')
      expect(eb.reason).to.equal(who === 'primary' ? 'remote-request' : 'user-request')
      expect(a.station.state).to.equal('NDM')
      expect(b.station.state).to.equal('NDM')
      await connect(room, a, b) // and the link comes up again at the contention speed
      await room.close()
    }
  })
})
