/*!
 * IrSock one-way bulk on the emulated medium, in virtual time (issue 17): the frames on the air
 * show full IrLAP windows at 4 Mbit/s (TinyTP's credit keeps up), full I frames whatever the
 * write size (stream writes coalesce), and a 9-wire socket keeping its message boundaries. The
 * transfers are packages/cli/src/bench/irsock-bulk.ts's, so the bench and these checks cannot drift apart.
 */
import { expect } from 'chai'
import { once } from 'node:events'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { connect, createServer } from '@irdakit/irsock'
import { bulk } from '../../packages/cli/src/bench/irsock-bulk.js'

/** Payload of a full I frame on these links: data size 2042 less IrLMP (2) and TinyTP (1) headers. */
const FULL = 2039

describe('irsock: bulk transfer schedule', function () {
  this.timeout(120_000)

  it('fills every IrLAP window at 4 Mbit/s: 7 frames a turn, all full, through the Node API', async () => {
    const r = await bulk({ bps: 4_000_000, writeSize: 4096, api: 'node', bytes: 256 * 1024 })
    // The last two turns carry what is left (the part-filled PDU goes once the link is idle).
    expect(r.windows.slice(0, -2)).to.deep.equal(Array(r.windows.length - 2).fill(7))
    expect(r.frameBytes.slice(0, -1)).to.deep.equal(Array(r.frameBytes.length - 1).fill(FULL))
    expect(r.ratio).to.be.at.least(0.97) // virtual time: deterministic, not a wall-clock figure
  })

  it('coalesces 1-byte Winsock sends into full frames (only the first and the last are short)', async () => {
    const r = await bulk({ bps: 4_000_000, writeSize: 1, api: 'winsock', bytes: 8 * 1024 })
    expect(r.frameBytes.slice(1, -1)).to.deep.equal(Array(r.frameBytes.length - 2).fill(FULL))
    expect(r.frameBytes.reduce((a, b) => a + b, 0)).to.equal(8 * 1024)
  })

  it('reaches 0.97 of the ideal schedule at 115200 with 2048-byte writes', async () => {
    const r = await bulk({ bps: 115200, writeSize: 2048, api: 'node', bytes: 64 * 1024 })
    expect(r.frameBytes.slice(0, -1)).to.deep.equal(Array(r.frameBytes.length - 1).fill(FULL))
    expect(r.ratio).to.be.at.least(0.97)
  })

  it('keeps message boundaries on a 9-wire socket: one cooked frame per write, one I frame each', async () => {
    const room = new Room({ time: 'virtual', seed: 3 })
    const sizes: number[] = []
    let counting = false // I frames of A carrying more than a TinyTP header, once connected
    room.tap(t => { if (counting && t.sender === 'A' && (t.frame[1] & 1) === 0 && t.frame.length > 5) sizes.push(t.frame.length - 2) })
    const a = IrdaStack.create({ port: room.port('A'), nickname: 'a', seed: 31 })
    const b = IrdaStack.create({ port: room.port('B'), nickname: 'b', seed: 32 })
    const writes = Array.from({ length: 20 }, (_, i) => Buffer.alloc(100, i))
    const received = new Promise<Buffer>(resolve => {
      const parts: Buffer[] = []
      createServer(b, { nineWire: true }, s => s.on('error', () => {}).on('data', (d: Buffer) => {
        parts.push(d)
        if (Buffer.concat(parts).length === 2000) resolve(Buffer.concat(parts))
      })).listen({ service: 'Cooked' })
    })
    const got = await room.run((async () => {
      const s = connect(a, { service: 'Cooked', deviceAddress: b.deviceAddress, nineWire: true })
      s.on('error', () => {})
      await once(s, 'connect')
      counting = true
      for (const w of writes) s.write(w)
      const out = await received
      s.destroy()
      return out
    })())
    expect(got).to.deep.equal(Buffer.concat(writes))
    // IrLMP header 2, TinyTP header 1, clen 1, then the 100 bytes of one write.
    expect(sizes).to.deep.equal(Array(20).fill(104))
    await room.run(Promise.all([a.close(), b.close()]))
  })

  it('offers the emulated transceiver\'s 0.01 ms minimum turnaround, not IrLAP\'s 10 ms default', async () => {
    const r = await bulk({ bps: 115200, writeSize: 65536, api: 'node', bytes: 4096 })
    expect(r.link).to.match(/mtt 0\.01\/0\.01 ms/)
  })
})
