import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const main = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url))
const irda = (args: string[]): { status: number | null, stdout: string, stderr: string } =>
  spawnSync(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', main, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } })

describe('cli: --usb and the USB part of irda dongles', () => {
  it('irda dongles --json lists USB dongles (an array, empty on a machine without any) or says why it cannot', () => {
    const r = irda(['dongles', '--json'])
    expect(r.status, r.stderr).to.equal(0)
    const doc = JSON.parse(r.stdout) as { usbDongles: unknown, usbDonglesUnavailable?: string }
    if (doc.usbDongles === null) expect(doc.usbDonglesUnavailable).to.be.a('string')
    else expect(doc.usbDongles).to.be.an('array')
  })

  it('a dongle that is not there is one clear line and exit 2; --usb with --port is a contradiction', () => {
    const r = irda(['discover', '--usb', 'ffff:fffe'])
    expect(r.status).to.equal(2)
    expect(r.stderr.trim()).to.match(/^irda: cannot open USB dongle ffff:fffe: (no USB IrDA dongle ffff:fffe present|USB dongles need the optional "usb" package)/)
    const both = irda(['discover', '--usb', '0', '--port', '/dev/null'])
    expect(both.status).to.equal(2)
    expect(both.stderr.trim()).to.equal('irda: choose one of --emulator, --room, --port and --usb, not --port and --usb')
    const bad = irda(['ping', '--usb', 'not-a-dongle'])
    expect(bad.status).to.equal(2)
    expect(bad.stderr).to.match(/give vid:pid in hex/)
  })
})
