/*!
 * Received data reaches the user without copies from IrLAP up (pooled arrays, TinyTP handing
 * views over): what a receiver holds must never change afterwards, whatever else arrives or is
 * sent. Sent data is copied where the caller may reuse its array (issue 17, virtual-time bench).
 */
import { expect } from 'chai'
import { Room } from '@irdakit/emulator'
import { IrdaStack, type TtpSocket } from '@irdakit/stack'

const SPEEDS = [9600, 115200, 576000, 1152000, 4000000]

function twoStations (seed: number): { room: Room, a: IrdaStack, b: IrdaStack } {
  const room = new Room({ time: 'virtual', seed })
  const a = IrdaStack.create({ port: room.port('A', { supportedSpeeds: SPEEDS }), nickname: 'alpha', seed: seed * 10 + 1, qos: { speeds: SPEEDS } })
  const b = IrdaStack.create({ port: room.port('B', { supportedSpeeds: SPEEDS }), nickname: 'bravo', seed: seed * 10 + 2, qos: { speeds: SPEEDS } })
  return { room, a, b }
}

/** Keeps every SDU `s` receives as it was handed over (no copy), until `bytes` have come. */
function keepViews (s: TtpSocket, bytes: number): Promise<Uint8Array[]> {
  const got: Uint8Array[] = []
  let n = 0
  return new Promise(resolve => {
    const take = (): void => {
      for (let d = s.receive(); d !== undefined; d = s.receive()) { got.push(d); n += d.length }
      if (n >= bytes) resolve(got)
    }
    s.on('readable', take)
    take()
  })
}

describe('stack: received bytes never change after they are handed over', () => {
  for (const maxSduSize of [0, 65536]) {
    it(`both ways at once at 4 Mb/s, the sender reusing one array for every write (MaxSduSize ${maxSduSize})`, async () => {
      const { room, a, b } = twoStations(91)
      const srv = b.ttpListen({ maxSduSize })
      const total = 300_000
      const atB = new Promise<{ s: TtpSocket, got: Promise<Uint8Array[]> }>(resolve => srv.on('connection', s => { resolve({ s, got: keepViews(s, total) }) }))
      const s = await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: srv.lsap }))
      const { s: peer, got: gotAtB } = await room.run(atB)
      const gotAtA = keepViews(s, total)
      const pattern = (i: number, salt: number): number => (i * 7 + (i >> 11) * 13 + salt) & 0xFF
      const chunk = new Uint8Array(3000) // one array, rewritten for every write
      for (let at = 0; at < total; at += chunk.length) {
        const n = Math.min(chunk.length, total - at)
        for (let i = 0; i < n; i++) chunk[i] = pattern(at + i, 1)
        if (maxSduSize === 0) s.writeStream(chunk.subarray(0, n)); else s.write(chunk.subarray(0, n))
        for (let i = 0; i < n; i++) chunk[i] = pattern(at + i, 2)
        if (maxSduSize === 0) peer.writeStream(chunk.subarray(0, n)); else peer.write(chunk.subarray(0, n))
        chunk.fill(0xEE)
      }
      const [atBViews, atAViews] = await room.run(Promise.all([gotAtB, gotAtA]))
      const expected = (salt: number): Buffer => Buffer.from(Uint8Array.from({ length: total }, (_, i) => pattern(i, salt)))
      expect(Buffer.concat(atBViews).equals(expected(1))).to.equal(true)
      expect(Buffer.concat(atAViews).equals(expected(2))).to.equal(true)
      s.close()
    })
  }
})
