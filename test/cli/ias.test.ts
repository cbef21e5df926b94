import { expect } from 'chai'
import { runIrda } from './run-irda.js'

describe('irda ias (GetValueByClass on an emulated device)', () => {
  it('finds a device by nickname and reads the selector of its IrCOMM service', () => {
    const r = runIrda(['ias', 'nokia 6310i', 'IrDA:IrCOMM', 'IrDA:TinyTP:LsapSel'])
    expect(r.status, r.stderr).to.equal(0)
    expect(r.stdout).to.match(/"Nokia 6310i" \(0x[0-9a-f]{8}\) IrDA:IrCOMM IrDA:TinyTP:LsapSel: success\n {2}object \d+: integer 11 \(0xb\)/)
  })

  it('reads the mandatory Device object in JSON', () => {
    const r = runIrda(['ias', 'Palm m505', 'Device', 'DeviceName', '--json'])
    const doc = JSON.parse(r.stdout) as { status: string, entries: Array<{ type: string, value: string }> }
    expect(doc.status).to.equal('success')
    expect(doc.entries).to.deep.equal([{ objectId: 0, type: 'string', charset: 0, value: 'Palm m505' }])
  })

  it('exits 1 for a class the device does not have, and for a device not in range', () => {
    const noClass = runIrda(['ias', 'Palm m505', 'IrDA:IrCOMM', 'IrDA:TinyTP:LsapSel'])
    expect(noClass.status).to.equal(1)
    expect(noClass.stdout).to.match(/no such class/)
    const noDevice = runIrda(['ias', 'Toaster', 'Device', 'DeviceName'])
    expect(noDevice.status).to.equal(1)
    expect(noDevice.stderr).to.equal('irda: no device "Toaster" answered discovery\n')
  })
})
