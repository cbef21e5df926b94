import { expect } from 'chai'
import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import { Room } from '@irdakit/emulator'
import { createModel, UsbredirDeviceServer, usbredirWire as W } from '@irdakit/usb'
import { testDir } from '../helpers/temp-dir.js'

/** The qemu side of usbredir, just enough to drive the device server: hello with 64-bit ids, then packets. */
class FakeGuest {
  private readonly reader = new W.PacketReader()
  private readonly waiting: Array<{ type: number, id?: bigint, resolve: (p: W.Packet) => void }> = []
  private readonly seen: W.Packet[] = []
  private nextId = 1n
  constructor (readonly sock: Socket) {
    sock.on('data', d => {
      for (const p of this.reader.push(d)) {
        if (p.type === W.T.hello) { this.reader.ids64 = true; const rest = this.reader.rest(); this.seen.push(p); if (rest.length > 0) sock.emit('data', rest); continue }
        this.seen.push(p)
      }
      this.match()
    })
    const caps = Buffer.alloc(4); caps.writeUInt32LE(0xFF)
    sock.write(W.encodePacket(W.T.hello, 0n, Buffer.concat([Buffer.from('fake qemu'.padEnd(64, '\0')), caps]), false))
  }

  private match (): void {
    for (const w of [...this.waiting]) {
      const i = this.seen.findIndex(p => p.type === w.type && (w.id === undefined || p.id === w.id))
      if (i >= 0) { const [p] = this.seen.splice(i, 1); this.waiting.splice(this.waiting.indexOf(w), 1); w.resolve(p) }
    }
  }

  async next (type: number, id?: bigint): Promise<W.Packet> {
    return await new Promise(resolve => { this.waiting.push({ type, id, resolve }); this.match() })
  }

  send (type: number, body: Buffer): bigint {
    const id = this.nextId++
    this.sock.write(W.encodePacket(type, id, body, true))
    return id
  }

  async control (rt: number, request: number, value: number, index: number, length: number, data = Buffer.alloc(0)): Promise<{ status: number, data: Buffer }> {
    const h = Buffer.alloc(10)
    h.set([0, request, rt, 0]); h.writeUInt16LE(value, 4); h.writeUInt16LE(index, 6); h.writeUInt16LE(length, 8)
    const id = this.send(W.T.controlPacket, Buffer.concat([h, data]))
    const p = await this.next(W.T.controlPacket, id)
    return { status: p.body[3], data: p.body.subarray(10) }
  }

  bulk (ep: number, length: number, data = Buffer.alloc(0)): bigint {
    const h = Buffer.alloc(10)
    h[0] = ep; h.writeUInt16LE(length & 0xFFFF, 2)
    return this.send(W.T.bulkPacket, Buffer.concat([h, data]))
  }
}

describe('usb/usbredir device server (a fake qemu guest on a unix socket, real time)', () => {
  it('plugs in a bridge-class model: descriptors, the class descriptor, a frame out to the room and one back in', async () => {
    const dir = testDir('irdakit-usbredir-')
    const path = join(dir, 'ur.sock')
    const room = new Room({ time: 'real', seed: 1 })
    const model = createModel('irda-class', room.clock, room.port('dongle'))
    const peer = room.port('peer')
    let server: UsbredirDeviceServer | undefined
    const listening = createServer(sock => { server = new UsbredirDeviceServer(sock, model) })
    await new Promise<void>(resolve => listening.listen(path, resolve))
    const { connect } = await import('node:net')
    const guest = new FakeGuest(connect(path))
    try {
      const conn = await guest.next(W.T.deviceConnect)
      expect(conn.body.readUInt16LE(4)).to.equal(0x1234)
      expect(conn.body.readUInt16LE(6)).to.equal(0x4949)
      const dev = await guest.control(0x80, 6, 0x0100, 0, 64)
      expect(dev.data.length).to.equal(18)
      expect(dev.data.readUInt16LE(8)).to.equal(0x1234)
      const cfg = await guest.control(0x80, 6, 0x0200, 0, 255)
      expect([...cfg.data.subarray(9 + 5, 9 + 8)]).to.deep.equal([0xFE, 0x02, 0x00])
      const cls = await guest.control(0xA1, 6, 0, 0, 12)
      expect(cls.status).to.equal(W.Status.success)
      expect([...cls.data.subarray(0, 2)]).to.deep.equal([12, 0x21])
      // A frame out: header 0x32 (9600, 12 XBOFs) + a frame; the peer in the room hears it.
      const heard = new Promise<Uint8Array>(resolve => peer.listen(ev => { if (ev.type === 'frame') resolve(ev.frame) }))
      const outId = guest.bulk(0x02, 5, Buffer.from([0x32, 0xFF, 0x3F, 0x01, 0x02]))
      expect(await heard).to.deep.equal(Uint8Array.of(0xFF, 0x3F, 0x01, 0x02))
      const ack = await guest.next(W.T.bulkPacket, outId)
      expect(ack.body[1]).to.equal(W.Status.success)
      // An IN request is held until the peer sends; then it carries header + frame.
      const inId = guest.bulk(0x81, 2064)
      peer.send(Uint8Array.of(0xFE, 0x5F, 0x07))
      const rx = await guest.next(W.T.bulkPacket, inId)
      expect([...rx.body.subarray(10 + 1)]).to.deep.equal([0xFE, 0x5F, 0x07])
      expect(rx.body[10] & 0x0F).to.equal(2) // inbound header: 9600
      // A cancelled IN request is answered "cancelled".
      const held = guest.bulk(0x81, 2064)
      guest.sock.write(W.encodePacket(W.T.cancelDataPacket, held, Buffer.alloc(0), true))
      const cancelled = await guest.next(W.T.bulkPacket, held)
      expect(cancelled.body[1]).to.equal(W.Status.cancelled)
      expect(server!.stats.unknown).to.equal(0)
    } finally {
      guest.sock.destroy()
      listening.close()
      await room.close()
    }
  })
})
