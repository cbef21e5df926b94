import { expect } from 'chai'
import type { DeviceInfo } from '@irdakit/lmp'
import { MISSES_TO_LEAVE, PresenceTable } from './device-watch.js'

const dev = (deviceAddress: number, nickname: string): DeviceInfo => ({ deviceAddress, nickname, hints: Uint8Array.of(0x04), charset: 0, lastSeen: 0 })
const summary = (changes: ReturnType<PresenceTable['round']>): string[] => changes.map(c => `${c.change} ${c.device.nickname}`)

describe('cli/PresenceTable: devices appearing and leaving across discovery rounds', () => {
  it('reports a device once when it appears, and as gone only after two rounds without it', () => {
    expect(MISSES_TO_LEAVE).to.equal(2)
    const t = new PresenceTable()
    expect(summary(t.round([dev(1, 'phone'), dev(2, 'pda')]))).to.deep.equal(['appeared phone', 'appeared pda'])
    expect(summary(t.round([dev(1, 'phone'), dev(2, 'pda')]))).to.deep.equal([])
    // One missed round (a slot collision) is not leaving.
    expect(summary(t.round([dev(1, 'phone')]))).to.deep.equal([])
    expect(summary(t.round([dev(1, 'phone')]))).to.deep.equal(['disappeared pda'])
    expect(summary(t.round([dev(1, 'phone'), dev(2, 'pda')]))).to.deep.equal(['appeared pda'])
  })

  it('forgives a miss when the device answers again', () => {
    const t = new PresenceTable()
    t.round([dev(1, 'phone')])
    t.round([])
    expect(summary(t.round([dev(1, 'phone renamed')]))).to.deep.equal([])
    expect(summary(t.round([]))).to.deep.equal([])
    expect(summary(t.round([]))).to.deep.equal(['disappeared phone renamed'])
  })
})
