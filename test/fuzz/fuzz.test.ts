import { expect } from 'chai'
import { runFuzz, type TargetReport } from './fuzz.js'

// The short run of `npm run fuzz` (which takes --n 1000000): 10^4 inputs per decoder, seed 1.
const N = 10_000

describe('fuzz: every decoder, 10^4 generated and mutated inputs each (issue 13)', function () {
  let reports: TargetReport[] = []
  before(function () {
    // About 10 s on a quiet machine; generous, so a loaded CI machine does not fail it.
    this.timeout(300_000)
    reports = runFuzz({ n: N, seed: 1 })
  })

  it('covers every decoder', () => {
    expect(reports.map(r => r.name)).to.deep.equal([
      'phy/SirUnwrapper', 'phy/MirUnwrapper', 'phy/FirUnwrapper',
      'lap/parseFrame', 'lap/XID+discovery info', 'lap/QoS+negotiation',
      'lmp/parseLmpPdu', 'ias/request (IAP)', 'ias/response (IAP)',
      'ttp/connect PDU', 'ttp/data PDU', 'ttp/SAR reassembly', 'irsock/IrCOMM cooked frame', 'ircomm/control parameters',
      'af_irda/SOCKADDR_IRDA', 'af_irda/DEVICELIST', 'af_irda/IAS_SET', 'af_irda/IAS_QUERY',
      'capture/decodePcap', 'capture/PcapParser (pieces)', 'capture/decodeFrame', 'obex/PacketReader+request', 'obex/response',
    ])
  })

  it('lets no exception escape and breaks no invariant', () => {
    const escaped = reports.filter(r => r.escapes > 0).map(r => `${r.name}: ${r.escapes} (${r.examples[0].error}, input ${r.examples[0].inputHex})`)
    expect(escaped).to.deep.equal([])
  })

  it('counts every input as accepted or rejected with a reason, and reaches both', () => {
    for (const r of reports) {
      expect(r.accepted + r.rejected, r.name).to.equal(N)
      expect(r.reasons.reduce((sum, [, n]) => sum + n, 0), r.name).to.equal(r.rejected)
      expect(r.accepted, r.name).to.be.greaterThan(0)
      expect(r.rejected, r.name).to.be.greaterThan(0)
    }
  })

  it('keeps memory bounded: no heap growth over the run, stateful decoders under their bound', () => {
    for (const r of reports) {
      expect(r.heapGrowthMb, r.name).to.be.below(8)
      if (r.retained !== undefined) expect(r.retained, r.name).to.be.at.most(r.retainedLimit as number)
    }
  })

  it('is reproducible: the same seed gives the same verdicts', () => {
    const strip = (rs: TargetReport[]): unknown => rs.map(r => ({ name: r.name, accepted: r.accepted, reasons: r.reasons }))
    expect(strip(runFuzz({ n: 300, seed: 7, measureHeap: false }))).to.deep.equal(strip(runFuzz({ n: 300, seed: 7, measureHeap: false })))
  })
})
