import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import fc from 'fast-check'
import { readPcap } from '@irdakit/capture'
import { Room } from './room.js'
import { framesOf, hex, record, txDone, uiFrame } from './test-util.js'

describe('emulator/capture', () => {
  let dir: string
  before(() => { dir = mkdtempSync(join(tmpdir(), 'irdakit-emulator-')) })
  after(() => { rmSync(dir, { recursive: true, force: true }) })

  it('sets direction from the chosen perspective and stops at close', async () => {
    const room = new Room({ time: 'virtual' })
    const a = room.port('a'); const b = room.port('b')
    const asA = room.capture(join(dir, 'a.pcap'))
    const asB = room.capture(join(dir, 'b.pcap'), { perspective: 'b', epochMs: 0 })
    a.send(uiFrame([1])); await room.run(txDone(a))
    b.send(uiFrame([2])); await room.run(txDone(b))
    asB.close()
    a.send(uiFrame([3])); await room.run(txDone(a))
    await room.close()
    const read = (p: string, epochMs?: number): Array<[string, string, number]> => {
      const r = readPcap(p, epochMs === undefined ? {} : { epochMs })
      if (!r.ok) throw r.error
      return r.value.map(x => [x.direction, hex(x.frame), x.timestampMs])
    }
    const t1 = 7 * 10 / 9.6 // uiFrame([n]) is 3 bytes: BOF + 3 + FCS 2 + EOF on the wire
    expect(read(join(dir, 'a.pcap')).map(([d, f]) => [d, f])).to.deep.equal([['out', 'ff1301'], ['in', 'ff1302'], ['out', 'ff1303']])
    const b2 = read(join(dir, 'b.pcap'), 0)
    expect(b2.map(([d, f]) => [d, f])).to.deep.equal([['in', 'ff1301'], ['out', 'ff1302']])
    expect(b2[0][2]).to.be.closeTo(t1, 1e-3)
    expect(asA.frames).to.equal(3)
  })
})

describe('emulator/EmulatedPort receive chunking', () => {
  it('delivers the same frames whatever the receive chunk size', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 300 }),
      fc.array(fc.uint8Array({ minLength: 0, maxLength: 80 }), { minLength: 1, maxLength: 8 }),
      async (chunk, payloads) => {
        const room = new Room({ time: 'virtual' })
        const a = room.port('a', { speed: 115200 }); const b = room.port('b', { speed: 115200, rxChunkSize: chunk })
        const got = record(b)
        for (const p of payloads) a.send(uiFrame(p), { xbofs: 3 })
        await room.run(txDone(a))
        expect(framesOf(got).map(f => f.hex)).to.deep.equal(payloads.map(p => hex(uiFrame(p))))
        expect(b.stats.framesReceived).to.equal(payloads.length)
      }), { numRuns: 60 })
  })
})
