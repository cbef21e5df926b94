import { expect } from 'chai'
import { runVirtual } from '@irdakit/core'
import { DongleDriver, DongleModel, DongleReplyError, dongleProfile, dongleProfiles, UnsupportedSpeedError, type DongleProfile } from '@irdakit/serial'
import { ModelIo } from './test-model-io.js'

/** A host driver and an emulated dongle joined by a wire, both from one profile. */
function pair (profile: DongleProfile): { io: ModelIo, driver: DongleDriver, model: DongleModel } {
  const model = new DongleModel(profile)
  const io = new ModelIo(model, profile.defaultSpeed)
  return { io, driver: new DongleDriver(profile, io, profile.defaultSpeed), model }
}

describe('serial/dongle driver against the dongle emulator (one profile, both sides)', () => {
  for (const profile of dongleProfiles()) {
    it(`${profile.name}: every speed change leaves dongle and host at the requested speed`, async () => {
      const { io, driver, model } = pair(profile)
      await runVirtual(io.clock, driver.powerOn())
      // Every order of speeds, including going back down and repeating one.
      for (const bps of [...profile.speeds].reverse().concat(profile.speeds, [profile.speeds[0]])) {
        await runVirtual(io.clock, driver.setSpeed(bps))
        expect(io.baud, `host baud for ${bps}`).to.equal(bps)
        expect(model.irSpeed(io.baud), `dongle speed for ${bps}`).to.equal(bps)
        expect(model.stats.rejectedBytes, 'no command byte rejected').to.equal(0)
      }
    })
  }

  it('tekram: sends 0x14 then 0x00 with RTS low, and ends in data mode', async () => {
    const { io, driver } = pair(dongleProfile('tekram'))
    await runVirtual(io.clock, driver.setSpeed(9600))
    await runVirtual(io.clock, driver.setSpeed(115200))
    expect(io.written).to.deep.equal([0x14, 0x00])
    expect(io.lineLog.slice(-3)).to.deep.equal(['dtr1rts1', 'dtr1rts0', 'dtr1rts1'])
  })

  it('tekram: a speed change takes its 150 ms write-complete delay on the port clock', async () => {
    const { io, driver } = pair(dongleProfile('tekram'))
    const t0 = io.clock.now()
    await runVirtual(io.clock, driver.setSpeed(57600))
    expect(io.clock.now() - t0).to.be.within(151, 152)
  })

  it('girbil: the Linux 34800 typo would leave the dongle at 9600; the profile sends 0x34', async () => {
    const profile = dongleProfile('girbil')
    const { io, driver, model } = pair(profile)
    await runVirtual(io.clock, driver.setSpeed(38400))
    expect(io.written.slice(-2)).to.deep.equal([0x34, 0x51])
    expect(model.irSpeed(38400)).to.equal(38400)
    // What the Linux driver actually sends for a 38400 request: the 9600 byte.
    await runVirtual(io.clock, driver.reset())
    model.setLines(false, true)
    model.fromHost(Uint8Array.of(0x32, 0x51), 9600)
    model.setLines(true, true)
    expect(model.irSpeed(38400)).to.equal(9600)
  })

  it('mcp2120: reads the command echo back; a dongle that does not echo fails the change', async () => {
    const profile = dongleProfile('mcp2120')
    const { io, driver } = pair(profile)
    await runVirtual(io.clock, driver.setSpeed(57600))
    expect(io.baud).to.equal(57600)
    const silent: DongleProfile = { ...profile, emulation: { ...profile.emulation, command: { ...profile.emulation.command!, echo: false } } }
    const p = pair(silent)
    let err: unknown
    try { await runVirtual(p.io.clock, p.driver.setSpeed(57600)) } catch (e) { err = e }
    expect(err).to.be.instanceOf(DongleReplyError)
  })

  it('ma600: a wrong read-back byte is a DongleReplyError (the "bad control byte read-back" users saw)', async () => {
    const profile = dongleProfile('ma600')
    const { io, driver, model } = pair(profile)
    // The dongle answers at the wrong baud: its echo is garbled on the way back.
    model.speed = 19200
    io.baud = 9600
    let err: unknown
    try { await runVirtual(io.clock, driver.run(profile.setSpeed, 57600)) } catch (e) { err = e }
    expect(err).to.be.instanceOf(DongleReplyError)
  })

  it('command bytes at the wrong host baud are rejected, and the speed does not change', async () => {
    const { io, model } = pair(dongleProfile('tekram'))
    model.setLines(true, false)
    model.fromHost(Uint8Array.of(0x11), 115200)
    model.setLines(true, true)
    expect(model.stats.rejectedBytes).to.be.greaterThan(0)
    expect(model.irSpeed(io.baud)).to.equal(9600)
  })

  it('litelink: starts at 115200 after reset and steps down with DTR pulses', async () => {
    const { io, driver, model } = pair(dongleProfile('litelink'))
    await runVirtual(io.clock, driver.reset())
    expect(model.irSpeed(io.baud)).to.equal(115200)
    await runVirtual(io.clock, driver.setSpeed(19200))
    expect(io.lineLog.filter(l => l === 'dtr0rts1')).to.have.length(3)
    expect(model.irSpeed(io.baud)).to.equal(19200)
  })

  it('actisys: the IR-220L refuses 38400, the IR-220L+ reaches it with four RTS pulses', async () => {
    const plain = pair(dongleProfile('actisys'))
    let err: unknown
    try { await runVirtual(plain.io.clock, plain.driver.setSpeed(38400)) } catch (e) { err = e }
    expect(err).to.be.instanceOf(UnsupportedSpeedError)
    const plus = pair(dongleProfile('actisys-plus'))
    await runVirtual(plus.io.clock, plus.driver.setSpeed(38400))
    expect(plus.io.lineLog.filter(l => l === 'dtr1rts0')).to.have.length(4)
    expect(plus.model.irSpeed(plus.io.baud)).to.equal(38400)
  })

  it('esi: the lines alone pick the speed; powering off loses it', async () => {
    const { io, driver, model } = pair(dongleProfile('esi'))
    await runVirtual(io.clock, driver.setSpeed(19200))
    expect(model.irSpeed(io.baud)).to.equal(19200)
    model.setLines(false, false)
    expect(model.irSpeed(io.baud)).to.equal(undefined)
  })

  it('old-belkin: fixed at 9600, so a host at 19200 gets garbage through', () => {
    const model = new DongleModel(dongleProfile('old-belkin'))
    model.setLines(true, true)
    expect(model.irSpeed(19200)).to.equal(9600)
    const sent = Uint8Array.of(0xC0, 0x12, 0x34, 0xC1)
    expect(model.fromHost(sent, 19200).toIr).to.not.deep.equal(sent)
    expect(model.fromHost(sent, 9600).toIr).to.deep.equal(sent)
  })
})
