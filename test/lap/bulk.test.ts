import { join } from 'node:path'
import { expect } from 'chai'
import { expectCleanDecode, requireTshark } from '../helpers/tshark.js'
import { addStation, connect, dataOf, makeRoom, randomChunks, tempDir, transfer } from './harness.js'

describe('lap over the emulator: bulk transfer', function () {
  const tmp = tempDir()
  after(() => { tmp.cleanup() })

  const cases = [
    { bps: 9600, bytes: 12 * 1024 },
    { bps: 115200, bytes: 256 * 1024 },
    { bps: 4000000, bytes: 2 * 1024 * 1024 },
  ]
  for (const c of cases) {
    it(`delivers ${c.bytes / 1024} KiB at ${c.bps} b/s exactly, in order, and tshark decodes every frame cleanly`, async function () {
      const room = makeRoom(11)
      const pcap = join(tmp.dir, `bulk-${c.bps}.pcap`)
      const cap = c.bps <= 115200 ? room.capture(pcap) : undefined
      const a = addStation(room, { name: 'A', qos: { speeds: [9600, c.bps], minTurnaroundMs: 1 } }, 1)
      const b = addStation(room, { name: 'B', qos: { speeds: [9600, c.bps], minTurnaroundMs: 1 } }, 2)
      await connect(room, a, b)
      expect(a.station.link?.baudRate).to.equal(c.bps)
      const size = a.station.link?.txDataSize as number
      const chunks = randomChunks(Math.ceil(c.bytes / size), size, c.bps)
      await transfer(room, a, b, chunks)
      expect(dataOf(b.driver.events)).to.deep.equal(chunks)
      expect(a.station.stats.retransmissions).to.equal(0)
      await room.run(a.driver.disconnect())
      await room.close()
      if (cap !== undefined) {
        requireTshark(this)
        expectCleanDecode(pcap)
      }
    })
  }
})
