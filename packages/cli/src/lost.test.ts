import { expect } from 'chai'
import type { TapReception } from '@irdakit/emulator'
import { lostOnTheWay } from './lost.js'

const good: TapReception = { station: 'peer', heard: true, effects: [], result: 'good' }
const bystander: TapReception = { station: 'idle', heard: true, effects: ['speed-mismatch'], result: 'bad' }

describe('cli/lost: which frames a trace marks [lost]', () => {
  it('not a frame only a bystander listening at another speed could not read', () => {
    expect(lostOnTheWay([good, bystander])).to.equal(false)
  })

  it('a frame damaged on the way, collided, missed or unheard by a transmitting station', () => {
    expect(lostOnTheWay([good, { station: 'peer', heard: true, effects: ['bit-errors'], result: 'bad' }])).to.equal(true)
    expect(lostOnTheWay([{ station: 'peer', heard: true, effects: ['speed-mismatch', 'collision'], result: 'bad' }])).to.equal(true)
    expect(lostOnTheWay([{ station: 'peer', heard: false, missed: 'obstructed', effects: [], result: 'missed' }])).to.equal(true)
    expect(lostOnTheWay([{ station: 'peer', heard: true, effects: ['deaf'], result: 'bad' }])).to.equal(true)
  })
})
