/*!
 * TtpSocket.writeStream (issue 17): stream bytes fill TinyTP PDUs across writes; a peer that
 * reassembles SDUs (SAR) still gets each write as whole SDUs.
 */
import { expect } from 'chai'
import { Room } from '@irdakit/emulator'
import { IrdaStack, type TtpSocket } from '@irdakit/stack'

function twoStations (seed: number): { room: Room, a: IrdaStack, b: IrdaStack } {
  const room = new Room({ time: 'virtual', seed })
  const a = IrdaStack.create({ port: room.port('A', { supportedSpeeds: [9600, 115200] }), nickname: 'alpha', seed: seed * 10 + 1 })
  const b = IrdaStack.create({ port: room.port('B', { supportedSpeeds: [9600, 115200] }), nickname: 'bravo', seed: seed * 10 + 2 })
  return { room, a, b }
}

/** Resolves with the SDUs `s` receives until `bytes` have come. */
function sdus (s: TtpSocket, bytes: number): Promise<Uint8Array[]> {
  const got: Uint8Array[] = []
  let n = 0
  return new Promise(resolve => {
    const take = (): void => {
      for (let d = s.receive(); d !== undefined; d = s.receive()) { got.push(d.slice()); n += d.length }
      if (n >= bytes) resolve(got)
    }
    s.on('readable', take)
    take()
  })
}

describe('stack/TtpSocket.writeStream', () => {
  it('fills PDUs across writes: 300 writes of 10 bytes arrive in full PDUs, not 300', async () => {
    const { room, a, b } = twoStations(81)
    const srv = b.ttpListen()
    const got = new Promise<Uint8Array[]>(resolve => srv.on('connection', s => { void sdus(s, 3000).then(resolve) }))
    const s = await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: srv.lsap }))
    const data = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xFF)
    for (let at = 0; at < data.length; at += 10) s.writeStream(data.subarray(at, at + 10))
    const units = await room.run(got)
    expect(Buffer.concat(units)).to.deep.equal(Buffer.from(data))
    expect(units.length, `PDUs of ${units.map(u => u.length).join(', ')}`).to.be.at.most(4)
  })

  it('keeps each write whole for a peer that runs SAR', async () => {
    const { room, a, b } = twoStations(82)
    const srv = b.ttpListen({ maxSduSize: 8192 })
    const got = new Promise<Uint8Array[]>(resolve => srv.on('connection', s => { void sdus(s, 5000 + 30).then(resolve) }))
    const s = await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: srv.lsap }))
    s.writeStream(new Uint8Array(5000).fill(1))
    s.writeStream(new Uint8Array(30).fill(2))
    const units = await room.run(got)
    expect(units.map(u => u.length)).to.deep.equal([5000, 30])
  })
})
