import { expect } from 'chai'
import { Room } from '@irdakit/emulator'
import { IrdaStack, type ConnectionError, type TtpSocket } from '@irdakit/stack'
import { readN } from '../helpers/ttp.js'

function twoStations (seed: number, speeds = [9600, 115200]): { room: Room, a: IrdaStack, b: IrdaStack } {
  const room = new Room({ time: 'virtual', seed })
  const a = IrdaStack.create({ port: room.port('A', { supportedSpeeds: speeds }), nickname: 'alpha', seed: seed * 10 + 1 })
  const b = IrdaStack.create({ port: room.port('B', { supportedSpeeds: speeds }), nickname: 'bravo', seed: seed * 10 + 2 })
  return { room, a, b }
}

const closed = (s: { once: (e: 'close', f: (err: ConnectionError | undefined) => void) => unknown }): Promise<ConnectionError | undefined> =>
  new Promise(resolve => s.once('close', err => resolve(err)))

describe('stack/TtpSocket close and reset', () => {
  it('close() ends the peer with IrLMP reason 0x01 (user request), reset() with 0xFF (unspecified)', async () => {
    const { room, a, b } = twoStations(71)
    const srv = b.ttpListen()
    const accepted: TtpSocket[] = []
    srv.on('connection', s => accepted.push(s))
    const s1 = await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: srv.lsap }))
    const s2 = await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: srv.lsap }))
    const [e1, e2] = [closed(accepted[0]), closed(accepted[1])]
    s1.close()
    s2.reset()
    expect(s2.closed).to.equal(true)
    const [err1, err2] = await room.run(Promise.all([e1, e2]))
    expect([err1?.kind, err1?.reason]).to.deep.equal(['user-request', 0x01])
    expect([err2?.kind, err2?.reason]).to.deep.equal(['unspecified', 0xFF])
  })

  it('reset() drops data still waiting for credit and reports it lost', async () => {
    const { room, a, b } = twoStations(72)
    const srv = b.ttpListen()
    const accepted: TtpSocket[] = []
    srv.on('connection', s => accepted.push(s))
    const s = await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: srv.lsap }))
    s.write(new Uint8Array(100_000))
    expect(s.queuedBytes).to.be.greaterThan(0)
    const waiting = s.queuedBytes
    const lost = s.reset()
    expect(lost?.unsentBytes).to.equal(waiting)
    expect(s.queuedBytes).to.equal(0)
    expect((await room.run(closed(accepted[0])))?.kind).to.equal('unspecified')
  })
})

describe('stack/the idle link outlives the frames IrLAP still holds', () => {
  it('a close right after a long write at 9600 bit/s still delivers every byte before the link goes down', async () => {
    // 40 kB at 9600 bit/s take ~40 s: IrLAP holds TinyTP's last window of frames far longer
    // than IrLMP's 2 s idle timer, which must not drop them with an early DISC.
    const { room, a, b } = twoStations(73, [9600])
    const srv = b.ttpListen()
    const got = new Promise<Uint8Array>(resolve => srv.on('connection', s => { void readN(s, 40_000).then(resolve) }))
    const s = await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: srv.lsap }))
    const data = Uint8Array.from({ length: 40_000 }, (_, i) => (i * 7) & 0xFF)
    s.write(data)
    s.close()
    expect(Buffer.compare(Buffer.from(await room.run(got)), Buffer.from(data))).to.equal(0)
    expect(a.lmp.linkState().state).to.not.equal('down')
    await room.run(new Promise<void>(resolve => room.clock.setTimer(room.clock.now() + 5000, resolve)))
    expect(a.lmp.linkState().state).to.equal('down')
  })
})
