import { expect } from 'chai'
import { runIrda } from './run-irda.js'

describe('irda bench', function () {
  this.timeout(120000)

  it('runs the shipped benches (--quick) and gives the rows as one JSON document', () => {
    const r = runIrda(['bench', 'lap-goodput', '--quick', '--json'], { timeoutMs: 110_000 })
    expect(r.status, r.stderr).to.equal(0)
    const doc = JSON.parse(r.stdout) as { command: string, ok: boolean, quick: boolean, rows: Array<{ bench: string, bps: number, ratio: number, target: number }>, notInPackage: string }
    expect(doc).to.include({ command: 'bench', ok: true, quick: true })
    expect(doc.rows.map(x => x.bps)).to.deep.equal([9600, 19200, 38400, 57600, 115200, 576000, 1152000, 4000000])
    for (const x of doc.rows) expect(x.ratio).to.be.at.least(x.target)
    expect(doc.notInPackage).to.match(/npm run bench/)
  })

  it('refuses a bench it does not ship, naming the ones it does, exit 2', () => {
    const r = runIrda(['bench', 'phy-codec'])
    expect(r.status).to.equal(2)
    expect(r.stderr.trim()).to.match(/^irda: no bench named phy-codec \(shipped: lap-goodput, demo-echo, irsock-bulk, connect, virtual-time; .*npm run bench\)$/)
  })
})
