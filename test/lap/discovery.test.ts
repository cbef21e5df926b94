import { join } from 'node:path'
import { expect } from 'chai'
import type { LapEvent } from '@irdakit/lap'
import { expectCleanDecode, requireTshark } from '../helpers/tshark.js'
import { addStation, discoveryInfo, makeRoom, sleep, tempDir, type RoomStation } from './harness.js'

type Confirm = LapEvent & { type: 'discovery-confirm' }

describe('lap over the emulator: discovery', function () {
  const tmp = tempDir()
  after(() => { tmp.cleanup() })

  for (const slots of [1, 6, 8, 16] as const) {
    it(`${slots} slot(s): 1 to 16 responders; no phantom devices, everyone found when slots allow`, async () => {
      for (let n = 1; n <= 16; n++) {
        const room = makeRoom(100 * slots + n)
        const init = addStation(room, { name: 'init', deviceAddress: 0x1000 }, 1)
        const responders: RoomStation[] = []
        for (let i = 0; i < n; i++) responders.push(addStation(room, { name: `r${i}`, deviceAddress: 0x2000 + i }, 10 + i))
        const all = new Set(responders.map(r => r.station.deviceAddress))
        const found = new Set<number>()
        const rounds = n <= slots ? 12 : 3
        for (let round = 0; round < rounds && found.size < n; round++) {
          const c: Confirm = await room.run(init.driver.discover(slots))
          expect(c.status).to.equal('ok')
          for (const d of c.devices) {
            expect(all.has(d.deviceAddress), `phantom 0x${d.deviceAddress.toString(16)}`).to.equal(true)
            const r = responders.find(x => x.station.deviceAddress === d.deviceAddress) as RoomStation
            expect(d.info).to.deep.equal(discoveryInfo(r.name))
            found.add(d.deviceAddress)
          }
          expect(c.conflicts).to.deep.equal([])
        }
        if (slots === 1) expect(found.size, `n=${n}`).to.equal(n === 1 ? 1 : 0) // every answer in slot 0: they collide
        else if (n <= slots) expect(found.size, `n=${n}, slots=${slots}`).to.equal(n)
        // Each responder heard the final XID with the initiator's info.
        await sleep(room, 200)
        for (const r of responders) {
          const ind = r.driver.events.find(e => e.type === 'discovery-indication')
          expect(ind, r.name).to.deep.equal({ type: 'discovery-indication', device: { deviceAddress: 0x1000, info: discoveryInfo('init') } })
        }
        await room.close()
      }
    })
  }

  it('resolves an address conflict with the new-address procedure, and tshark decodes it all cleanly', async function () {
    const room = makeRoom(5)
    const pcap = join(tmp.dir, 'discovery.pcap')
    room.capture(pcap)
    const init = addStation(room, { name: 'init', deviceAddress: 0x1000 }, 1)
    const twins = [addStation(room, { name: 'twin1', deviceAddress: 0xCAFE }, 21), addStation(room, { name: 'twin2', deviceAddress: 0xCAFE }, 22)]
    let c: Confirm | undefined
    for (let i = 0; i < 10 && (c === undefined || c.conflicts.length === 0); i++) c = await room.run(init.driver.discover(8))
    expect(c?.conflicts).to.deep.equal([0xCAFE])
    const from = init.driver.events.length
    init.driver.act((st, now) => { st.discoveryRequest(now, { slots: 8, newAddressFor: 0xCAFE }) })
    await room.run(init.driver.next('discovery-confirm', from))
    const fresh = twins.map(t => t.station.deviceAddress)
    expect(fresh[0]).to.not.equal(0xCAFE)
    expect(fresh[1]).to.not.equal(0xCAFE)
    expect(fresh[0]).to.not.equal(fresh[1])
    for (const t of twins) expect(t.driver.events.some(e => e.type === 'address-changed')).to.equal(true)
    const found = new Set<number>()
    for (let i = 0; i < 10 && found.size < 2; i++) (await room.run(init.driver.discover(8))).devices.forEach(d => found.add(d.deviceAddress))
    expect([...found].sort()).to.deep.equal([...fresh].sort())
    await room.close()
    requireTshark(this)
    expectCleanDecode(pcap)
  })

  it('a connected station refuses discovery; a station connected elsewhere does not answer', async () => {
    const room = makeRoom(6)
    const a = addStation(room, { name: 'A', deviceAddress: 0xA }, 1)
    const b = addStation(room, { name: 'B', deviceAddress: 0xB }, 2)
    const c = addStation(room, { name: 'C', deviceAddress: 0xC }, 3)
    await room.run(a.driver.connect(0xB))
    expect((await room.run(a.driver.discover(6))).status).to.equal('link-in-use')
    const seen = await room.run(c.driver.discover(6))
    expect(seen.devices).to.deep.equal([])
    await room.close()
  })
})
