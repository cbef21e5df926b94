import { expect } from 'chai'
import { runSoak, runLinkLoss, SOAK_FAULTS } from './soak.js'

// The short version of `npm run soak` (10 MB): 200 kB, same faults, virtual time.
describe('soak: data through the Node IrSock API on a faulty medium (issue 13)', function () {
  this.timeout(60_000)

  it('delivers 200 kB at 115200 with BER 1e-5, error bursts and a 2 s obstruction, SHA-256 equal', async () => {
    const r = await runSoak({ bytes: 200_000, seed: 1, ...SOAK_FAULTS })
    expect(r.errors).to.deep.equal([])
    expect(r.baudRate).to.equal(115200)
    expect(r.receivedBytes).to.equal(200_000)
    expect(r.receivedSha256).to.equal(r.sentSha256)
    // The faults did bite: damaged frames were retransmitted, polls went unanswered while the
    // beam was blocked, and the block fell inside the transfer.
    expect(r.rxErrors).to.be.greaterThan(0)
    expect(r.retransmissions).to.be.greaterThan(0)
    expect(r.noReply).to.be.greaterThan(0)
    expect(r.virtualSeconds * 1000).to.be.greaterThan(SOAK_FAULTS.obstruction.afterMs + SOAK_FAULTS.obstruction.durationMs)
  })

  for (const [afterMs, linkDisconnectMs] of [[0, 12000], [3000, 12000], [3000, 3000], [5000, 8000]]) {
    it(`a beam blocked for good ${afterMs} ms into a transfer fails both sockets within link-disconnect (${linkDisconnectMs} ms) + one poll, after an exact prefix`, async () => {
      const r = await runLinkLoss({ bytes: 200_000, afterMs, seed: 2, linkDisconnectMs })
      expect(r.linkDisconnectMs).to.equal(linkDisconnectMs)
      const bound = r.linkDisconnectMs + r.pollMs
      for (const side of [r.client, r.server]) {
        expect(side.code).to.equal('WSAECONNABORTED')
        expect(side.afterMs).to.be.at.most(bound)
        // Not before the link-disconnect time either (counted from the last frame heard, at most one poll earlier).
        expect(side.afterMs).to.be.at.least(r.linkDisconnectMs - r.pollMs)
      }
      expect(r.exactPrefix).to.equal(true)
      expect(r.receivedBytes).to.be.below(200_000)
    })
  }
})
