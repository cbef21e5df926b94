/*!
 * Opt-in (npm run test:linux): irdakit against the real Linux 4.9 IrDA stack in qemu, over the
 * guest's serial pty opened with @irdakit/serial (dongle 'none'): discovery, an IAS query, and
 * an echo through the guest's `Echo` server (AF_IRDA, TinyTP) with IrSock. Skipped, with the
 * reason, without IRDAKIT_LINUX_PEER or qemu.
 */
import { expect } from 'chai'
import { once } from 'node:events'
import { openSerialPort } from '@irdakit/serial'
import { IrdaStack } from '@irdakit/stack'
import { connect } from '@irdakit/irsock'
import { bootLinuxGuest, linuxGuestMissing, type LinuxGuest } from '../helpers/linux-guest.js'

describe('Linux 4.9 in qemu as a peer, over its pty (opt-in)', function () {
  this.timeout(5 * 60_000)
  let guest: LinuxGuest | undefined
  let stack: IrdaStack | undefined
  let linuxAddress = 0

  before(async function () {
    const missing = linuxGuestMissing()
    if (missing !== undefined) { console.log(`    skipped: ${missing}`); this.skip() }
    guest = await bootLinuxGuest({ nickname: 'linuxpeer' })
    const port = await openSerialPort({ path: guest.pty, dongle: 'none' })
    stack = IrdaStack.create({ port, nickname: 'irdakit' })
  })

  after(async () => {
    await stack?.close().catch(() => {})
    guest?.stop()
  })

  it('discovers the guest by its nickname', async () => {
    let found
    for (let round = 0; round < 5 && found === undefined; round++) {
      found = (await stack!.discover()).find(d => d.nickname === guest!.nickname)
    }
    expect(found, 'Linux answered discovery').to.not.equal(undefined)
    linuxAddress = found!.deviceAddress
  })

  it('asks its IAS for the Echo service\'s TinyTP selector', async () => {
    const r = await stack!.iasQuery(linuxAddress, 'Echo', 'IrDA:TinyTP:LsapSel')
    expect(r.returnCode).to.equal(0)
    expect(r.entries).to.have.length(1)
    const value = r.entries[0].value as { type: string, value: number }
    expect(value.type).to.equal('integer')
    expect(value.value).to.be.within(1, 0x6F)
  })

  it('echoes through its Echo server with IrSock (TinyTP to a real AF_IRDA socket)', async () => {
    const text = 'hello Linux, this is irdakit over a qemu pty'
    const sock = connect(stack!, { service: 'Echo', deviceAddress: linuxAddress })
    await once(sock, 'connect')
    sock.write(text)
    let back = ''
    for await (const chunk of sock) {
      back += String(chunk)
      if (back.length >= text.length) break
    }
    expect(back).to.equal(text)
    sock.destroy()
  })
})
