import { once } from 'node:events'
import { expect } from 'chai'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { connect, createServer } from '@irdakit/irsock'

// The README's code, run as written (console.log aside), so it cannot rot.
describe('docs/README examples', () => {
  it('a stack in a few lines, then an IrSock echo through the Node API', async () => {
    const room = new Room({ time: 'virtual', seed: 1 })
    const me = IrdaStack.create({ port: room.port('me'), nickname: 'laptop' })
    const peer = IrdaStack.create({ port: room.port('peer'), nickname: 'dive' })
    const devices = await room.run(me.discover())
    expect(devices.map(d => d.nickname)).to.deep.equal(['dive'])
    const name = await room.run(me.iasQuery(devices[0].deviceAddress, 'Device', 'DeviceName'))
    expect(name.returnCode).to.equal(0)

    createServer(peer, {}, sock => sock.pipe(sock)).listen({ service: 'Echo', backlog: 2 })
    const sock = connect(me, { service: 'Echo' })
    const echoed: string[] = []
    sock.on('connect', () => sock.write('hello'))
    sock.on('data', (d: Buffer) => { echoed.push(String(d)); sock.end() })
    await room.run(once(sock, 'close'))
    expect(echoed).to.deep.equal(['hello'])
  })
})
