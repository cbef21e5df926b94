import { expect } from 'chai'
import { LinkError, runVirtual, VirtualClock, type PortEvent } from '@irdakit/core'
import { sirWrap } from '@irdakit/phy'
import {
  DongleEmulatorBinding, DongleReplyError, dongleProfile, dongleProfiles, openSerialPort, PortClosedError,
  UnknownDongleError, UnsupportedSpeedError, type SerialIrdaPort
} from '@irdakit/serial'

const PATH = '/dev/ttyIR0'

/** An emulated dongle at PATH on a virtual clock, opened through serialport. */
async function setup (dongle: string, opts: { echo?: boolean, portEcho?: boolean } = {}): Promise<{ clock: VirtualClock, binding: DongleEmulatorBinding, port: SerialIrdaPort, events: PortEvent[] }> {
  const clock = new VirtualClock()
  const binding = new DongleEmulatorBinding()
  binding.attach(PATH, { dongle, clock, echo: opts.echo })
  const port = await runVirtual(clock, openSerialPort({ path: PATH, dongle, binding, echo: opts.portEcho }))
  const events: PortEvent[] = []
  port.listen(ev => events.push(ev))
  return { clock, binding, port, events }
}

const frame = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 3) & 0xFF)

describe('serial/SerialIrdaPort over serialport + emulated dongles (virtual time)', () => {
  for (const profile of dongleProfiles()) {
    it(`${profile.name}: opens at 9600 and changes to every speed through serialport`, async () => {
      const { clock, binding, port } = await setup(profile.name)
      const dongle = binding.device(PATH)!
      expect(port.speed).to.equal(9600)
      expect(dongle.model.irSpeed(dongle.hostBaud)).to.equal(9600)
      for (const bps of [...profile.speeds].reverse()) {
        await runVirtual(clock, port.setSpeed(bps))
        expect(port.speed).to.equal(bps)
        expect(dongle.hostBaud, 'host UART').to.equal(bps)
        expect(dongle.model.irSpeed(dongle.hostBaud), 'dongle').to.equal(bps)
      }
      expect(dongle.model.stats.rejectedBytes).to.equal(0)
      await runVirtual(clock, port.close())
    })
  }

  it('sends queued frames at the old speed before the speed change', async () => {
    const { clock, binding, port } = await setup('tekram')
    port.send(frame(40))
    port.send(frame(41))
    await runVirtual(clock, port.setSpeed(115200))
    const dongle = binding.device(PATH)!
    expect(dongle.stats.framesToIr).to.equal(2)
    expect(dongle.stats.badFramesFromHost).to.equal(0)
    port.send(frame(42))
    await runVirtual(clock, new Promise<void>(resolve => port.listen(ev => { if (ev.type === 'tx-done') resolve() })))
    expect(dongle.stats.framesToIr).to.equal(3)
    expect(port.stats.framesSent).to.equal(3)
  })

  it('delivers frames from IR, counts garbage, bad FCS and runts, and never throws', async () => {
    const { clock, binding, port, events } = await setup('tekram')
    const dongle = binding.device(PATH)!
    const good = frame(20)
    const bad = sirWrap(good); bad[5] ^= 0x01
    dongle.receiveIr(Uint8Array.of(0x12, 0x34, 0x56))
    dongle.receiveIr(sirWrap(good))
    dongle.receiveIr(bad)
    dongle.receiveIr(Uint8Array.of(0xC0, 0x01, 0xC1))
    await runVirtual(clock, Promise.resolve().then(async () => await new Promise(resolve => setImmediate(resolve))))
    const frames = events.filter(e => e.type === 'frame')
    expect(frames).to.have.length(1)
    expect((frames[0] as { frame: Uint8Array }).frame).to.deep.equal(good)
    expect(port.stats.rxErrors).to.deep.include({ garbage: 1, fcs: 1, runt: 1 })
    expect(events.some(e => e.type === 'media' && e.busy)).to.equal(true)
  })

  it('a frame from IR at the wrong speed reaches the host as garbage, not as a frame', async () => {
    const { clock, binding, port, events } = await setup('tekram')
    await runVirtual(clock, port.setSpeed(57600))
    const dongle = binding.device(PATH)!
    // The dongle's UART runs at 57600; the host's is forced to 9600 behind the port's back.
    dongle.setHostBaud(9600)
    dongle.receiveIr(sirWrap(frame(30)))
    await runVirtual(clock, new Promise(resolve => setImmediate(resolve)))
    expect(events.filter(e => e.type === 'frame')).to.have.length(0)
    const errors = Object.values(port.stats.rxErrors).reduce((a, b) => a + b, 0)
    expect(errors).to.be.greaterThan(0)
  })

  it('drops the dongle echo when echo suppression is on, and sees it when off', async () => {
    const on = await setup('none', { echo: true, portEcho: true })
    on.port.send(frame(25))
    await runVirtual(on.clock, new Promise<void>(resolve => on.port.listen(ev => { if (ev.type === 'tx-done') resolve() })))
    await runVirtual(on.clock, new Promise(resolve => setImmediate(resolve)))
    expect(on.port.stats.framesReceived).to.equal(0)
    expect(on.port.extra.echoSuppressed).to.equal(sirWrap(frame(25)).length)
    const off = await setup('none', { echo: true, portEcho: false })
    off.port.send(frame(25))
    await runVirtual(off.clock, new Promise<void>(resolve => off.port.listen(ev => { if (ev.type === 'frame') resolve() })))
    expect(off.port.stats.framesReceived).to.equal(1)
  })

  it('waits the minimum turnaround after a reception before sending', async () => {
    const { clock, binding, port } = await setup('none')
    const dongle = binding.device(PATH)!
    port.setMinTurnaround(10)
    dongle.receiveIr(sirWrap(frame(10)))
    await runVirtual(clock, new Promise<void>(resolve => port.listen(ev => { if (ev.type === 'frame') resolve() })))
    const rxAt = clock.now()
    port.send(frame(10))
    await runVirtual(clock, new Promise<void>(resolve => port.listen(ev => { if (ev.type === 'tx-done') resolve() })))
    expect(dongle.stats.lastFrameToIrAt! - rxAt).to.be.within(10, 10.001)
    // A second frame with no reception in between does not wait again.
    const t = clock.now()
    port.send(frame(10))
    await runVirtual(clock, new Promise<void>(resolve => port.listen(ev => { if (ev.type === 'tx-done') resolve() })))
    expect(dongle.stats.lastFrameToIrAt! - t).to.be.lessThan(1)
  })

  it('reports tx-done only when the bytes have had their time on the line, though the tty drains at once (a pty, a USB-serial bridge)', async () => {
    const clock = new VirtualClock()
    const inner = new DongleEmulatorBinding()
    inner.attach(PATH, { dongle: 'none', clock })
    // A tty that takes every byte at once, as a pty does: drain answers immediately.
    const binding = {
      list: async () => await inner.list(),
      open: async (o: Parameters<DongleEmulatorBinding['open']>[0]) => Object.assign(await inner.open(o), { drain: async () => {} }),
      clockOf: (path: string) => inner.clockOf(path),
    }
    const port = await runVirtual(clock, openSerialPort({ path: PATH, dongle: 'none', binding, baudRate: 115200 }))
    const doneAt: number[] = []
    port.listen(ev => { if (ev.type === 'tx-done') doneAt.push(clock.now()) })
    const t0 = clock.now()
    port.send(frame(2000))
    port.send(frame(100))
    const air = (sirWrap(frame(2000)).length + sirWrap(frame(100)).length) * 10_000 / 115200
    await runVirtual(clock, new Promise<void>(resolve => port.listen(ev => { if (ev.type === 'tx-done') resolve() })))
    expect(doneAt).to.have.length(1)
    expect(doneAt[0] - t0).to.be.within(air - 1e-6, air + 0.001)
    // The speed change waits for the line too: the last byte must not go out at the new rate.
    port.send(frame(500))
    const t1 = clock.now()
    await runVirtual(clock, port.setSpeed(9600))
    expect(clock.now() - t1).to.be.at.least(sirWrap(frame(500)).length * 10_000 / 115200)
    await runVirtual(clock, port.close())
  })

  it('rejects speeds the dongle cannot do, and unknown dongles, with typed errors', async () => {
    const { clock, port } = await setup('esi')
    let err: unknown
    try { await runVirtual(clock, port.setSpeed(38400)) } catch (e) { err = e }
    expect(err).to.be.instanceOf(UnsupportedSpeedError)
    err = undefined
    try { await openSerialPort({ path: PATH, dongle: 'no-such-dongle', binding: new DongleEmulatorBinding() }) } catch (e) { err = e }
    expect(err).to.be.instanceOf(UnknownDongleError)
  })

  it('rejects (does not hang or throw) when the native binding cannot open the path', async () => {
    let err: unknown
    try { await openSerialPort({ path: '/dev/irdakit-no-such-tty' }) } catch (e) { err = e }
    expect(err).to.be.instanceOf(Error)
    expect(String(err)).to.match(/no-such-tty|ENOENT|No such file/)
  })

  it('fails to open when the dongle does not answer as its profile says (MA600 read-back)', async () => {
    const clock = new VirtualClock()
    const binding = new DongleEmulatorBinding()
    const ma600 = dongleProfile('ma600')
    const mute = { ...ma600, emulation: { ...ma600.emulation, command: { ...ma600.emulation.command!, echo: false } } }
    binding.attach(PATH, { dongle: mute, clock })
    let err: unknown
    try { await runVirtual(clock, openSerialPort({ path: PATH, dongle: 'ma600', binding })) } catch (e) { err = e }
    expect(err).to.be.instanceOf(DongleReplyError)
    // The port was closed again: it can be opened by the next user.
    binding.detach(PATH)
    binding.attach(PATH, { dongle: 'ma600', clock })
    const port = await runVirtual(clock, openSerialPort({ path: PATH, dongle: 'ma600', binding }))
    expect(port.speed).to.equal(9600)
  })

  it('device vanishing mid-transfer: closed event with a LinkError, pending work rejected, reattach recovers', async () => {
    const { clock, binding, port, events } = await setup('tekram')
    for (let i = 0; i < 5; i++) port.send(frame(200))
    const speed = port.setSpeed(115200)
    speed.catch(() => {})
    await runVirtual(clock, new Promise<void>(resolve => clock.setTimer(clock.now() + 30, resolve)))
    binding.detach(PATH)
    let err: unknown
    try { await runVirtual(clock, speed) } catch (e) { err = e }
    expect(err).to.be.instanceOf(LinkError)
    const closed = events.find(e => e.type === 'closed') as { error?: Error } | undefined
    expect(closed?.error).to.be.instanceOf(LinkError)
    port.send(frame(5))
    expect(port.extra.droppedAfterVanish).to.equal(1)
    await runVirtual(clock, port.close())
    binding.attach(PATH, { dongle: 'tekram', clock })
    const again = await runVirtual(clock, openSerialPort({ path: PATH, dongle: 'tekram', binding }))
    await runVirtual(clock, again.setSpeed(115200))
    expect(again.speed).to.equal(115200)
  })

  it('close powers the dongle off and reports closed without an error', async () => {
    const { clock, binding, port, events } = await setup('tekram')
    await runVirtual(clock, port.close())
    const closed = events.filter(e => e.type === 'closed')
    expect(closed).to.have.length(1)
    expect((closed[0] as { error?: Error }).error).to.equal(undefined)
    expect(binding.device(PATH)!.model.mode).to.equal('off')
    let err: unknown
    try { await port.setSpeed(9600) } catch (e) { err = e }
    expect(err).to.be.instanceOf(PortClosedError)
    expect(() => port.send(frame(5))).to.throw(PortClosedError)
  })
})
