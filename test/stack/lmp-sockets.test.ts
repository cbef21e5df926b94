import { expect } from 'chai'
import { Room } from '@irdakit/emulator'
import { IrdaStack, ConnectionError, LMP_RX_HIGH_WATER, type LmpSocket } from '@irdakit/stack'
import { parseLmpPdu } from '@irdakit/lmp'

function twoStations (seed: number, speeds = [9600, 115200]): { room: Room, a: IrdaStack, b: IrdaStack } {
  const room = new Room({ time: 'virtual', seed })
  const a = IrdaStack.create({ port: room.port('A', { supportedSpeeds: speeds }), nickname: 'alpha', seed: seed * 10 + 1 })
  const b = IrdaStack.create({ port: room.port('B', { supportedSpeeds: speeds }), nickname: 'bravo', seed: seed * 10 + 2 })
  return { room, a, b }
}

/** Reads `n` bytes from a plain IrLMP socket (rejects if it closes first). */
async function readLmp (s: LmpSocket, n: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  let got = 0
  while (got < n) {
    const c = s.read(n - got)
    if (c !== undefined) { parts.push(c.slice()); got += c.length; continue }
    if (s.closed) throw s.closeError ?? new Error('closed')
    await new Promise<void>(resolve => {
      const done = (): void => { s.off('readable', done); s.off('close', done); resolve() }
      s.on('readable', done)
      s.on('close', done)
    })
  }
  return Buffer.concat(parts)
}

/** The LM data PDUs `stack` sends on user selectors, as they leave the port. */
function lmData (stack: IrdaStack): Uint8Array[] {
  const out: Uint8Array[] = []
  stack.onFrame(rec => {
    if (rec.direction !== 'out' || rec.frame.length < 4 || (rec.frame[1] & 0x01) !== 0) return
    const pdu = parseLmpPdu(rec.frame.subarray(2))
    if (pdu.ok && pdu.value.kind === 'data' && pdu.value.dlsap !== 0 && pdu.value.slsap !== 0) out.push(pdu.value.data)
  })
  return out
}

const closed = (s: LmpSocket): Promise<ConnectionError | undefined> => new Promise(resolve => s.once('close', err => resolve(err)))

describe('stack/plain IrLMP sockets (lmpListen, lmpConnect)', () => {
  it('carries exact bytes both ways as LM data PDUs of at most maxDataSize, with no TinyTP header', async () => {
    const { room, a, b } = twoStations(101)
    const srv = b.lmpListen()
    const accepted: LmpSocket[] = []
    srv.on('connection', s => { accepted.push(s); s.on('readable', () => { for (let c = s.read(); c !== undefined; c = s.read()) s.write(c) }) })
    const sent = lmData(a)
    const s = await room.run(a.lmpConnect({ deviceAddress: b.deviceAddress, remoteLsap: srv.lsap }))
    expect([s.remoteLsap, accepted[0].localLsap, accepted[0].remoteLsap]).to.deep.equal([srv.lsap, srv.lsap, s.localLsap])
    expect(s.maxDataSize).to.equal(a.lmp.maxDataSize())
    const data = Uint8Array.from({ length: 20_000 }, (_, i) => (i * 31 + 7) & 0xFF)
    s.write(data)
    const back = await room.run(readLmp(s, data.length))
    expect(Buffer.compare(back, Buffer.from(data))).to.equal(0)
    expect(sent.length).to.equal(Math.ceil(data.length / s.maxDataSize))
    for (const pdu of sent) expect(pdu.length).to.be.at.most(s.maxDataSize)
    expect(Buffer.compare(Buffer.from(sent[0]), Buffer.from(data.subarray(0, s.maxDataSize)))).to.equal(0)
  })

  it('a reader that stops makes IrLAP answer RNR: at most LMP_RX_HIGH_WATER PDUs wait in memory, the writer waits for drain, and nothing is lost', async () => {
    const { room, a, b } = twoStations(102)
    const srv = b.lmpListen()
    let peer: LmpSocket | undefined
    srv.on('connection', s => { peer = s })
    const s = await room.run(a.lmpConnect({ deviceAddress: b.deviceAddress, remoteLsap: srv.lsap }))
    const data = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 13) & 0xFF)
    let drained = false
    s.on('drain', () => { drained = true })
    expect(s.write(data)).to.equal(false)
    await room.run(new Promise<void>(resolve => room.clock.setTimer(room.clock.now() + 10_000, resolve)))
    const p = peer as LmpSocket
    expect(b.station.localBusy).to.equal(true)
    expect(p.readableBytes).to.be.at.most(LMP_RX_HIGH_WATER * s.maxDataSize)
    expect(p.readableBytes).to.be.at.least((LMP_RX_HIGH_WATER - 1) * s.maxDataSize)
    expect(drained).to.equal(false)
    expect(s.queuedBytes).to.be.greaterThan(100_000)
    const back = await room.run(readLmp(p, data.length))
    expect(Buffer.compare(back, Buffer.from(data))).to.equal(0)
    expect(drained).to.equal(true)
    expect(s.queuedBytes).to.equal(0)
    expect(b.station.localBusy).to.equal(false)
  })

  it('close() ends the peer with reason 0x01 after the queued data; reset() with 0xFF', async () => {
    const { room, a, b } = twoStations(103)
    const srv = b.lmpListen()
    const accepted: LmpSocket[] = []
    srv.on('connection', s => accepted.push(s))
    const s1 = await room.run(a.lmpConnect({ deviceAddress: b.deviceAddress, remoteLsap: srv.lsap }))
    const s2 = await room.run(a.lmpConnect({ deviceAddress: b.deviceAddress, remoteLsap: srv.lsap }))
    const [e1, e2] = [closed(accepted[0]), closed(accepted[1])]
    s1.write(new Uint8Array(5000).fill(7))
    s1.close()
    s2.reset()
    const [err1, err2] = await room.run(Promise.all([e1, e2]))
    expect([err1?.kind, err1?.reason]).to.deep.equal(['user-request', 0x01])
    expect(accepted[0].readableBytes).to.equal(5000)
    expect([err2?.kind, err2?.reason]).to.deep.equal(['unspecified', 0xFF])
    expect(() => s1.write(Uint8Array.of(1))).to.throw(ConnectionError)
  })

  it('a refused connect rejects with the reason: the accept predicate says no (0x01), nothing listens (0x08)', async () => {
    const { room, a, b } = twoStations(104)
    const srv = b.lmpListen({ accept: () => false })
    const err = async (lsap: number): Promise<unknown> => await room.run(a.lmpConnect({ deviceAddress: b.deviceAddress, remoteLsap: lsap }).then(() => undefined, (e: unknown) => e))
    const refused = await err(srv.lsap)
    expect(refused).to.be.instanceOf(ConnectionError)
    expect((refused as ConnectionError).kind).to.equal('user-request')
    srv.close()
    expect(((await err(srv.lsap)) as ConnectionError).kind).to.equal('no-client')
  })
})
