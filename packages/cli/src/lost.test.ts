import { expect } from 'chai'
import { once } from 'node:events'
import { Room, type TapReception, type TapRecord } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { connect, createServer } from '@irdakit/irsock'
import { lostOnTheWay } from './lost.js'

const good: TapReception = { station: 'peer', heard: true, effects: [], result: 'good' }
const bystander: TapReception = { station: 'idle', heard: true, effects: ['speed-mismatch'], result: 'bad' }

describe('cli/lost: which frames a trace marks [lost]', () => {
  it('not a frame only a bystander listening at another speed could not read', () => {
    expect(lostOnTheWay([good, bystander])).to.equal(false)
  })

  it('in a room at BER 0, an idle station that joined marks no frame of a 115200 echo lost', async () => {
    const room = new Room({ time: 'virtual', seed: 3 })
    const speeds = [9600, 115200]
    const laptop = IrdaStack.create({ port: room.port('laptop', { supportedSpeeds: speeds }), nickname: 'laptop', seed: 31 })
    const dive = IrdaStack.create({ port: room.port('dive', { supportedSpeeds: speeds }), nickname: 'dive', seed: 32 })
    room.port('idle') // in range, listening at 9600 bit/s, never on the link
    const records: TapRecord[] = []
    room.tap(r => { records.push(r) })
    createServer(dive, s => { s.on('error', () => {}); s.pipe(s) }).listen({ service: 'Echo' })
    const sock = connect(laptop, { service: 'Echo' })
    let back = 0
    sock.on('connect', () => sock.write(Buffer.alloc(3000, 0x5a)))
    sock.on('data', (d: Buffer) => { back += d.length; if (back >= 3000) sock.end() })
    await room.run(once(sock, 'close'))
    expect(back).to.equal(3000)
    const idleAtOtherSpeed = records.filter(r => r.speed === 115200 && r.receptions.some(x => x.station === 'idle' && x.result !== 'good'))
    expect(idleAtOtherSpeed.length, 'the idle station heard the fast frames as garbage').to.be.greaterThan(10)
    expect(records.filter(r => lostOnTheWay(r.receptions)).length).to.equal(0)
    await room.close()
  })

  it('a frame damaged on the way, collided, missed or unheard by a transmitting station', () => {
    expect(lostOnTheWay([good, { station: 'peer', heard: true, effects: ['bit-errors'], result: 'bad' }])).to.equal(true)
    expect(lostOnTheWay([{ station: 'peer', heard: true, effects: ['speed-mismatch', 'collision'], result: 'bad' }])).to.equal(true)
    expect(lostOnTheWay([{ station: 'peer', heard: false, missed: 'obstructed', effects: [], result: 'missed' }])).to.equal(true)
    expect(lostOnTheWay([{ station: 'peer', heard: true, effects: ['deaf'], result: 'bad' }])).to.equal(true)
  })
})
