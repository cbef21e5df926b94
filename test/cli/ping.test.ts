import { expect } from 'chai'
import { runIrda } from './run-irda.js'

describe('irda ping (TEST frames in NDM)', () => {
  it('gets every TEST frame echoed by the emulated device and reports round-trip times', () => {
    const r = runIrda(['ping', '-c', '3'])
    expect(r.status, r.stderr).to.equal(0)
    expect(r.stdout.match(/^32 bytes from 0x[0-9a-f]{8}: seq=\d time=[\d.]+ ms$/gm)).to.have.length(3)
    expect(r.stdout).to.match(/3 TEST frames sent, 3 answered, 0% loss, rtt min\/avg\/max = [\d.]+\/[\d.]+\/[\d.]+ ms/)
  })

  it('reports losses on a noisy medium in JSON (seeded: the same run every time)', () => {
    const r = runIrda(['ping', '--json', '-c', '10', '-s', '200', '--ber', '3e-4'])
    const doc = JSON.parse(r.stdout) as { sent: number, received: number, lossPercent: number, replies: Array<{ ok: boolean }> }
    expect(doc.sent).to.equal(10)
    expect(doc.received).to.be.greaterThan(0).and.lessThan(10)
    expect(doc.replies.filter(x => x.ok)).to.have.length(doc.received)
  })

  it('exits 1 when nobody answers', () => {
    const r = runIrda(['ping', '-c', '2', '--device', '0x1234'])
    expect(r.status).to.equal(1)
    expect(r.stdout).to.match(/0 answered, 100% loss/)
  })

  it('rejects a bad device address in one line', () => {
    const r = runIrda(['ping', '--device', '0xffffffff'])
    expect(r.status).to.not.equal(0)
    expect(r.stderr.trim().split('\n')).to.have.length(1)
  })
})
