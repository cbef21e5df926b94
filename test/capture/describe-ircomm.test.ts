import { once } from 'node:events'
import { expect } from 'chai'
import { decodeFrame, DecodeSession, type FrameDescription } from '@irdakit/capture'
import { Room, type TapRecord } from '@irdakit/emulator'
import { connect } from '@irdakit/irsock'
import { IrdaStack } from '@irdakit/stack'

/** Every frame on the medium while `a` talks to a device whose `IrDA:IrCOMM` service writes `frames`. */
async function ircommSession (frames: Uint8Array[]): Promise<FrameDescription[]> {
  const room = new Room({ time: 'virtual', seed: 7 })
  const a = IrdaStack.create({ port: room.port('a'), nickname: 'a', seed: 71 })
  const b = IrdaStack.create({ port: room.port('b'), nickname: 'b', seed: 72 })
  const session = new DecodeSession()
  const described: FrameDescription[] = []
  room.tap((rec: TapRecord) => { described.push(decodeFrame(rec.frame, session)) })
  const server = b.ttpListen()
  b.ias.set('IrDA:IrCOMM', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: server.lsap })
  server.on('connection', ts => { for (const f of frames) ts.write(f) })
  const c = connect(a, { service: 'IrDA:IrCOMM', deviceAddress: b.deviceAddress, nineWire: true })
  await room.run(once(c, 'connect'))
  c.write('AT\r')
  c.resume()
  await room.run(new Promise<void>(resolve => room.clock.setTimer(room.clock.now() + 2000, resolve)))
  c.destroy()
  await room.run(a.close())
  await room.run(b.close())
  return described
}

const ircommLines = (d: FrameDescription[]): string[] => d.flatMap(f => f.layers.filter(l => l.layer === 'IrCOMM').map(l => l.summary))

describe('capture/decodeFrame: IrCOMM inside TinyTP on an IrDA:IrCOMM selector', () => {
  it('reads each SDU as a cooked frame, both ways: clen, then the data length', async () => {
    const d = await ircommSession([Uint8Array.of(3, 0x11, 0x01, 0x0E, 0x4F, 0x4B), Uint8Array.of(0, 0x0D, 0x0A)])
    expect(d.filter(f => f.error !== undefined).map(f => f.summary)).to.deep.equal([])
    expect(ircommLines(d)).to.deep.equal(['ircomm: clen=3 len=2', 'ircomm: clen=0 len=2', 'ircomm: clen=0 len=3'])
    expect(d.some(f => /ttp: credit=\d+ len=4 ircomm: clen=0 len=3$/.test(f.summary))).to.equal(true)
  })

  it('calls a frame whose clen runs past its end an error, as Wireshark calls it malformed', async () => {
    const d = await ircommSession([Uint8Array.of(9, 0x43)])
    expect(d.filter(f => f.error !== undefined).map(f => f.error)).to.deep.equal(['IrCOMM: clen 9 runs past the 2-byte frame'])
  })
})
