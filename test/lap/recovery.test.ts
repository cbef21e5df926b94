import { join } from 'node:path'
import { expect } from 'chai'
import { parseFrame } from '@irdakit/lap'
import type { TapRecord } from '@irdakit/emulator'
import { expectCleanDecode, requireTshark } from '../helpers/tshark.js'
import { addStation, connect, dataOf, makeRoom, randomChunks, sleep, tempDir, transfer } from './harness.js'

const kinds = (taps: TapRecord[]): string[] => taps.map(t => { const d = parseFrame(t.frame); return d.ok ? d.value.kind : '?' })

describe('lap over the emulator: recovery and link quality', function () {
  const tmp = tempDir()
  after(() => { tmp.cleanup() })

  for (const srej of [true, false]) {
    it(`delivers exact bytes both ways through bit errors and drops (${srej ? 'SREJ' : 'REJ'}), tshark-clean`, async function () {
      const room = makeRoom(srej ? 31 : 32)
      const pcap = join(tmp.dir, `recovery-${String(srej)}.pcap`)
      room.capture(pcap)
      const taps: TapRecord[] = []
      room.tap(r => taps.push(r))
      const qos = { speeds: [9600, 115200], minTurnaroundMs: 1, dataSize: 512 }
      const a = addStation(room, { name: 'A', deviceAddress: 0xA, qos, config: { srej } }, 1)
      const b = addStation(room, { name: 'B', deviceAddress: 0xB, qos, config: { srej } }, 2)
      await connect(room, a, b)
      room.faults({ ber: 2e-5, dropRate: 0.04 })
      const ab = randomChunks(120, 512, 1)
      const ba = randomChunks(60, 300, 2)
      b.driver.act((st, now) => { for (const c of ba) st.dataRequest(now, c) })
      await transfer(room, a, b, ab)
      if (dataOf(a.driver.events).length < ba.length) await room.run(a.driver.waitFor(() => dataOf(a.driver.events).length >= ba.length, 0))
      expect(dataOf(b.driver.events)).to.deep.equal(ab)
      expect(dataOf(a.driver.events)).to.deep.equal(ba)
      const retx = a.station.stats.retransmissions + b.station.stats.retransmissions
      expect(retx).to.be.greaterThan(0)
      expect(kinds(taps)).to.include(srej ? 'SREJ' : 'REJ')
      expect(a.station.stats.noReply + b.station.stats.noReply, 'timer recovery happened too').to.be.greaterThan(0)
      room.faults({})
      await room.run(a.driver.disconnect())
      await room.close()
      requireTshark(this)
      expectCleanDecode(pcap)
    })
  }

  it('local busy: the receiver says RNR, the sender holds back, nothing is lost', async () => {
    const room = makeRoom(40)
    const taps: TapRecord[] = []
    room.tap(r => taps.push(r))
    const a = addStation(room, { name: 'A', deviceAddress: 0xA, qos: { speeds: [9600, 115200] } }, 1)
    const b = addStation(room, { name: 'B', deviceAddress: 0xB, qos: { speeds: [9600, 115200] } }, 2)
    await connect(room, a, b)
    const chunks = randomChunks(30, 1000, 3)
    // B goes busy after every 5 frames for 300 ms.
    let count = 0
    b.driver.on(ev => {
      if (ev.type !== 'data-indication' || ++count % 5 !== 0) return
      b.driver.act((st, now) => { st.setLocalBusy(now, true) })
      b.driver.clock.setTimer(b.driver.now + 300, () => { b.driver.act((st, now) => { st.setLocalBusy(now, false) }) })
    })
    await transfer(room, a, b, chunks)
    expect(dataOf(b.driver.events)).to.deep.equal(chunks)
    expect(kinds(taps).filter(k => k === 'RNR').length).to.be.greaterThan(3)
    await room.close()
  })

  it('warns after a 3 s obstruction (threshold) and recovers without loss', async () => {
    const room = makeRoom(41)
    const qos = { speeds: [9600, 115200], linkDisconnectMs: 12000 }
    const a = addStation(room, { name: 'A', deviceAddress: 0xA, qos }, 1)
    const b = addStation(room, { name: 'B', deviceAddress: 0xB, qos }, 2)
    await connect(room, a, b)
    const t0 = room.clock.now() + 100
    room.faults({ obstructions: [{ from: t0, to: t0 + 3000 }] })
    const chunks = randomChunks(40, 1000, 4)
    await transfer(room, a, b, chunks)
    expect(dataOf(b.driver.events)).to.deep.equal(chunks)
    for (const s of [a, b]) {
      const warn = s.driver.events.findIndex(e => e.type === 'status-indication' && e.status === 'threshold')
      const back = s.driver.events.findIndex(e => e.type === 'status-indication' && e.status === 'restored')
      expect(warn, `${s.name} warned`).to.be.greaterThan(-1)
      expect(back, `${s.name} restored`).to.be.greaterThan(warn)
      expect(s.driver.events.some(e => e.type === 'disconnect-indication')).to.equal(false)
    }
    await room.close()
  })

  it('disconnects both sides at the negotiated link-disconnect time when the beam stays blocked', async () => {
    const room = makeRoom(42)
    const qos = { speeds: [9600, 115200], linkDisconnectMs: 8000 }
    const a = addStation(room, { name: 'A', deviceAddress: 0xA, qos }, 1)
    const b = addStation(room, { name: 'B', deviceAddress: 0xB, qos }, 2)
    await connect(room, a, b)
    expect(a.station.link?.linkDisconnectMs).to.equal(8000)
    await sleep(room, 1000)
    const t0 = room.clock.now()
    room.faults({ obstructions: [{ from: t0, to: t0 + 60_000 }] })
    const when: Record<string, number> = {}
    for (const s of [a, b]) s.driver.on(ev => { if (ev.type === 'disconnect-indication') when[s.name] = room.clock.now() - t0 })
    const [ea, eb] = await room.run(Promise.all([a.driver.next('disconnect-indication'), b.driver.next('disconnect-indication')]))
    expect(ea.reason).to.equal('link-lost')
    expect(eb.reason).to.equal('link-lost')
    // The primary counts N2 = 8 s / F (500 ms) unanswered polls from its first lost poll (< 500 ms after t0);
    // the secondary N2 = 8 s / WD (1 s) from the last frame it heard (before t0).
    expect(when.A).to.be.within(8000, 8600)
    expect(when.B).to.be.within(7000, 8100)
    expect(a.station.state).to.equal('NDM')
    expect(b.station.state).to.equal('NDM')
    await room.close()
  })

  it('reset: the primary resets, the secondary agrees, numbering restarts and data flows again', async () => {
    const room = makeRoom(43)
    const a = addStation(room, { name: 'A', deviceAddress: 0xA, qos: { speeds: [9600, 115200] } }, 1)
    const b = addStation(room, { name: 'B', deviceAddress: 0xB, qos: { speeds: [9600, 115200] } }, 2)
    await connect(room, a, b)
    b.driver.on(ev => { if (ev.type === 'reset-indication') b.driver.act((st, now) => { st.resetResponse(now) }) })
    await transfer(room, a, b, randomChunks(3, 100, 5))
    const confirm = a.driver.next('reset-confirm')
    a.driver.act((st, now) => { st.resetRequest(now) })
    await room.run(confirm)
    expect(b.driver.events.some(e => e.type === 'reset-indication' && e.origin === 'remote')).to.equal(true)
    const more = randomChunks(10, 100, 6)
    await transfer(room, a, b, more)
    expect(dataOf(b.driver.events).slice(3)).to.deep.equal(more)
    await room.close()
  })
})
