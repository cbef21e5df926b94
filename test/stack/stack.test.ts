import { expect } from 'chai'
import { Room } from '@irdakit/emulator'
import { IrdaStack, ConnectionError, type TtpSocket } from '@irdakit/stack'
import { decodeText } from '@irdakit/lmp'
import { readN, echo } from '../helpers/ttp.js'

function twoStations (seed = 1, speeds?: number[]): { room: Room, a: IrdaStack, b: IrdaStack } {
  const room = new Room({ time: 'virtual', seed })
  const a = IrdaStack.create({ port: room.port('A', speeds !== undefined ? { supportedSpeeds: speeds } : {}), nickname: 'alpha', seed: seed * 10 + 1 })
  const b = IrdaStack.create({ port: room.port('B', speeds !== undefined ? { supportedSpeeds: speeds } : {}), nickname: 'bravo', seed: seed * 10 + 2 })
  return { room, a, b }
}

describe('stack/IrdaStack in an emulated room', () => {
  it('discovers, queries IAS and echoes over TinyTP with exact bytes', async () => {
    const { room, a, b } = twoStations(1)
    const server = b.ttpListen()
    b.ias.set('Echo', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: server.lsap })
    server.on('connection', echo)

    const devices = await room.run(a.discover())
    expect(devices.map(d => d.nickname)).to.deep.equal(['bravo'])
    expect(devices[0].deviceAddress).to.equal(b.deviceAddress)

    const ias = await room.run(a.iasQuery(b.deviceAddress, 'Echo', 'IrDA:TinyTP:LsapSel'))
    expect(ias.returnCode).to.equal(0)
    expect(ias.entries[0].value).to.deep.equal({ type: 'integer', value: server.lsap })
    const name = await room.run(a.iasQuery(b.deviceAddress, 'Device', 'DeviceName'))
    const v = name.entries[0].value
    expect(v.type === 'string' ? decodeText(v.value, v.charset) : '').to.equal('bravo')

    const sock = await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: server.lsap }))
    const payload = Uint8Array.from({ length: 20000 }, (_, i) => (i * 31 + 7) & 0xFF)
    sock.write(payload)
    const back = await room.run(readN(sock, payload.length))
    expect(Buffer.compare(Buffer.from(back), Buffer.from(payload))).to.equal(0)
    expect(a.station.link?.baudRate).to.equal(4000000)
    await room.run(a.close())
    await room.run(b.close())
  })

  it('refuses a TinyTP connect to a selector nobody listens on (IrLMP reason 0x08)', async () => {
    const { room, a, b } = twoStations(2)
    let err: unknown
    try { await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: 0x42 })) } catch (e) { err = e }
    expect(err).to.be.instanceOf(ConnectionError)
    expect((err as ConnectionError).kind).to.equal('no-client')
  })

  it('runs several TinyTP connections in both directions over one link at once', async () => {
    const { room, a, b } = twoStations(3, [9600, 115200])
    const sa = a.ttpListen(); sa.on('connection', echo)
    const sb = b.ttpListen(); sb.on('connection', echo)
    const job = async (from: IrdaStack, to: IrdaStack, lsap: number, seed: number): Promise<boolean> => {
      const s = await from.ttpConnect({ deviceAddress: to.deviceAddress, remoteLsap: lsap })
      const data = Uint8Array.from({ length: 3000 + seed * 100 }, (_, i) => (i ^ seed) & 0xFF)
      s.write(data)
      const back = await readN(s, data.length)
      s.close()
      return Buffer.compare(Buffer.from(back), Buffer.from(data)) === 0
    }
    // Bring the link up first: two primaries sending SNRM at the same instant is a separate case.
    const first = await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: sb.lsap }))
    const results = await room.run(Promise.all([
      job(a, b, sb.lsap, 1), job(a, b, sb.lsap, 2), job(b, a, sa.lsap, 3), job(b, a, sa.lsap, 4),
    ]))
    expect(results).to.deep.equal([true, true, true, true])
    first.close()
    expect(a.station.link?.baudRate).to.equal(115200)
  })

  it('surfaces a lost link as an error on every open socket, never a hang', async () => {
    const { room, a, b } = twoStations(4, [9600, 115200])
    const srv = b.ttpListen(); srv.on('connection', echo)
    const s1 = await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: srv.lsap }))
    const s2 = await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: srv.lsap }))
    const t0 = room.clock.now()
    room.faults({ obstructions: [{ from: t0, to: t0 + 60_000 }] })
    const closed = (s: TtpSocket): Promise<ConnectionError | undefined> => new Promise(resolve => s.once('close', e => resolve(e)))
    s1.write(new Uint8Array(100))
    const [e1, e2] = await room.run(Promise.all([closed(s1), closed(s2)]))
    expect(e1?.kind).to.equal('link-lost')
    expect(e2?.kind).to.equal('link-lost')
    // negotiated link-disconnect time is 12 s (both offer Linux' default)
    expect(room.clock.now() - t0).to.be.within(11_000, 14_000)
  })
})

describe('stack/two primaries at once', () => {
  for (const seed of [3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610]) {
    it(`resolves simultaneous connects from both sides into one link (seed ${seed})`, async () => {
      const { room, a, b } = twoStations(seed, [9600, 115200])
      const sa = a.ttpListen(); sa.on('connection', echo)
      const sb = b.ttpListen(); sb.on('connection', echo)
      // Both stations start at t=0, so both SNRMs leave at the same instant and collide; the
      // random backoff before the retry has to break the tie.
      const [x, y] = await room.run(Promise.all([
        a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: sb.lsap }),
        b.ttpConnect({ deviceAddress: a.deviceAddress, remoteLsap: sa.lsap }),
      ]))
      x.write(Uint8Array.of(1, 2, 3)); y.write(Uint8Array.of(4, 5))
      expect(Array.from(await room.run(readN(x, 3)))).to.deep.equal([1, 2, 3])
      expect(Array.from(await room.run(readN(y, 2)))).to.deep.equal([4, 5])
      expect([a.station.role, b.station.role].sort()).to.deep.equal(['primary', 'secondary'])
    })
  }
})

describe('stack/test()', () => {
  it('echoes a TEST frame from a station without a link, and reports silence as ok: false', async () => {
    const { room, a, b } = twoStations(20)
    const data = Uint8Array.of(1, 2, 3, 4, 5)
    const r = await room.run(a.test({ data, deviceAddress: b.deviceAddress }))
    expect(r.ok).to.equal(true)
    expect(Array.from(r.data)).to.deep.equal([1, 2, 3, 4, 5])
    const none = await room.run(a.test({ data, deviceAddress: 0x12345678 }))
    expect(none.ok).to.equal(false)
  })
})

describe('stack/close()', () => {
  const sleep = async (room: Room, ms: number): Promise<void> => { await new Promise<void>(resolve => room.clock.setTimer(room.clock.now() + ms, () => { resolve() })) }

  it('while IrLMP is still bringing the link up: withdraws the connect, fails the query, sends nothing', async () => {
    const { room, a, b } = twoStations(30)
    const sent: number[] = []
    a.onFrame(r => { if (r.direction === 'out') sent.push(r.frame.length) })
    const query = a.iasQuery(b.deviceAddress, 'Device', 'DeviceName').then(() => 'answered', (e: Error) => e.name)
    await room.run(a.close())
    expect(await room.run(query)).to.equal('IasQueryError')
    expect(a.station.state).to.equal('NDM')
    await room.run(sleep(room, 5000))
    expect(sent, 'the SNRM was still waiting for a quiet medium and never went out').to.deep.equal([])
    await room.run(b.close())
  })

  it('on a live link with an IAS query under way: the query fails, the link goes down with DISC/UA, nothing throws', async () => {
    const { room, a, b } = twoStations(31)
    await room.run(a.iasQuery(b.deviceAddress, 'Device', 'DeviceName'))
    expect(a.lmp.linkState().state).to.equal('up')
    const query = a.iasQuery(b.deviceAddress, 'Device', 'DeviceName').then(() => 'answered', (e: Error) => e.name)
    await room.run(a.close())
    expect(await room.run(query)).to.equal('IasQueryError')
    expect(a.station.state).to.equal('NDM')
    await room.run(b.close())
  })

  it('data handed down while the DISC is out is counted as unsent, never thrown', async () => {
    const { room, a, b } = twoStations(32)
    const heard: number[] = []
    b.onConnectionless(d => { heard.push(d.length) })
    await room.run(a.iasQuery(b.deviceAddress, 'Device', 'DeviceName'))
    const closing = a.close()
    let sawDisc = false
    a.onFrame(r => {
      if (r.direction !== 'out' || r.frame[1] !== 0x53 || sawDisc) return // 0x53: DISC with P
      sawDisc = true
      a.sendConnectionless(Uint8Array.of(1, 2, 3)) // IrLMP hands IrLAP a UI frame in PCLOSE
    })
    await room.run(closing)
    expect(sawDisc).to.equal(true)
    expect(a.station.state).to.equal('NDM')
    expect(a.station.stats.unsent).to.equal(1)
    expect(heard).to.deep.equal([])
    await room.run(b.close())
  })
})
