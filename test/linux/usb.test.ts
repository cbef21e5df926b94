/*!
 * Opt-in (IRDAKIT_LINUX_PEER): each USB dongle model checked against Linux 4.9's own driver for
 * it. The guest boots with qemu's usb-redir; `UsbredirDeviceServer` plugs the model in; the
 * guest's driver binds and `irifup irda1` brings the dongle up; then irdakit (a real-time room:
 * the model's IR side and an irdakit station) and the Linux stack discover each other through
 * the model, irdakit echoes through the guest's `Echo` server, and the guest's `echocli` echoes
 * through ours. Skipped, with the reason, without IRDAKIT_LINUX_PEER or qemu.
 */
import { expect } from 'chai'
import { connect as netConnect } from 'node:net'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { createModel, UsbredirDeviceServer, type ModelName } from '@irdakit/usb'
import { readN } from '../helpers/ttp.js'
import { bootUsbLinuxGuest, linuxGuestMissing, type UsbLinuxGuest } from '../usb/linux-usb-guest.js'

/** The Linux driver each model is for, as dmesg or sysfs names it. */
const DRIVER: Record<ModelName, RegExp> = {
  'irda-class': /IRDA-USB found|Registered device irda1/,
  stir4210: /STIR421X|4210/,
  mcs7780: /irda1/,
  stir4200: /STIr4200/,
  kingsun: /KingSun\/DonShine/,
  ksdazzle: /KingSun\/Dazzle/,
  ks959: /KS-959/
}

const models = (process.env.IRDAKIT_USB_MODELS ?? 'irda-class,mcs7780,stir4200,kingsun,ksdazzle,ks959').split(',') as ModelName[]

describe('USB dongle models against Linux 4.9\'s own drivers, over qemu usb-redir (opt-in)', function () {
  this.timeout(10 * 60_000)
  let guest: UsbLinuxGuest | undefined

  before(async function () {
    const missing = linuxGuestMissing()
    if (missing !== undefined) { console.log(`    skipped: ${missing}`); this.skip() }
    guest = await bootUsbLinuxGuest()
  })

  after(() => { guest?.stop() })

  for (const name of models) {
    it(`${name}: the driver binds, irda1 comes up, each stack discovers the other and both echo`, async function () {
      await checkModel(guest!, name)
    })
  }
})

describe('the STIr4210 model against Linux 4.9\'s irda-usb, with a made-up firmware patch in the guest (opt-in)', function () {
  this.timeout(10 * 60_000)
  let guest: UsbLinuxGuest | undefined
  // Not SigmaTel's patch (it cannot be shipped): a file in its format, so Linux uploads it and the model checks every byte.
  const image = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7 + 3) & 0xFF)
  const patch = Buffer.concat([Buffer.from('Product Version: 000.001.000\r\nmade up by irdakit\'s tests\r\n', 'latin1'), Buffer.from([0x1A]), Buffer.from('STMP', 'latin1'), image])

  before(async function () {
    const missing = linuxGuestMissing()
    if (missing !== undefined) { console.log(`    skipped: ${missing}`); this.skip() }
    guest = await bootUsbLinuxGuest('linuxusb', 240_000, { 'lib/firmware/4210 100.sb': patch })
  })

  after(() => { guest?.stop() })

  it('stir4210: Linux uploads the patch (checked byte for byte), binds, and both stacks discover each other and echo', async () => {
    await checkModel(guest!, 'stir4210', image)
  })
})

async function checkModel (g: UsbLinuxGuest, name: ModelName, image?: Uint8Array): Promise<void> {
      const room = new Room({ time: 'real', seed: 1 })
      const model = createModel(name, room.clock, room.port('dongle'), image !== undefined ? { stir421xImage: image } : {})
      // 10 ms, the turnaround a station offers without a transceiver that says otherwise. Under
      // qemu, ksdazzle-sir sometimes sends a frame's first packet twice (docs/usb.md, "Dazzle,
      // the first packet of a frame twice"); Linux fills 10 ms with XBOFs, so the repeated packet
      // holds only XBOFs, while with the emulated port's 0.01 ms it holds the BOF and the model
      // counts a refusal (a BOF inside a frame) that a real dongle would never see.
      const stack = IrdaStack.create({ port: room.port('irdakit', { qos: { minTurnaroundMs: 10 } }), nickname: 'irdakit' })
      const server = stack.ttpListen()
      stack.ias.set('Echo', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: server.lsap })
      server.on('connection', s => s.on('readable', () => { for (let c = s.read(); c !== undefined; c = s.read()) s.write(c) }))
      const sock = netConnect(g.usbredir)
      const redir = new UsbredirDeviceServer(sock, model)
      try {
        const bound = await g.run('sleep 3; dmesg | tail -n 8; ls /sys/class/net', /irda1/, 60_000)
        expect(bound, 'the Linux driver bound and made irda1').to.match(DRIVER[name]).and.match(/irda1/)
        // The console echoes each command line: what a wait looks for is computed by the shell
        // ($((6*7))), so the echo of the command itself cannot end the wait.
        await g.run('irifup irda1; echo up-$((6*7))', /up-42/, 30_000)
        // irdakit finds Linux through the model.
        let found
        for (let i = 0; i < 10 && found === undefined; i++) found = (await stack.discover()).find(d => d.nickname === g.nickname)
        expect(found, `Linux answered discovery through the ${name} model`).to.not.equal(undefined)
        const ias = await stack.iasQuery(found!.deviceAddress, 'Echo', 'IrDA:TinyTP:LsapSel')
        const lsap = (ias.entries[0]?.value as { value: number } | undefined)?.value
        expect(lsap).to.be.a('number')
        const t = await stack.ttpConnect({ deviceAddress: found!.deviceAddress, remoteLsap: lsap! })
        console.log(`      ${name}: link at ${stack.station.link?.baudRate ?? '?'} bit/s`)
        const text = Buffer.from(`irdakit to Linux through ${name}`)
        t.write(text)
        expect(Buffer.from(await readN(t, text.length)).toString()).to.equal(text.toString())
        t.close()
        // Linux finds irdakit and echoes with our Echo server.
        const out = await g.run(`echocli Echo "linux to irdakit via ${name}"`, /echocli: reply|echocli: .*(fail|error)|\$ $/m, 60_000)
        expect(out).to.include(`reply ${`linux to irdakit via ${name}`.length} bytes: linux to irdakit via ${name}`)
        expect(model.stats.refused, `the model refused: ${model.stats.lastRefusal}`).to.equal(0)
      } finally {
        redir.close()
        sock.destroy()
        await stack.close().catch(() => {})
        await room.close()
        await g.run('sleep 2; echo unplugged-$((6*7))', /unplugged-42/, 15_000)
      }
}
