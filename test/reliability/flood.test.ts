/*! The connection flood (issue 13), short: 300 attempts in the default run; `npm run flood` runs 10,000. */
import { expect } from 'chai'
import { flood } from './flood.js'

describe('reliability/flood: connection attempts at a Winsock listen(backlog 5) nobody accepts', () => {
  it('300 attempts: 2 queue (IrSock\'s cap), 298 see WSAECONNREFUSED, memory stays flat, accept drains exactly the 2 with their data', async () => {
    const r = await flood(300)
    expect(r.admitted).to.equal(2)
    expect(r.maxQueued).to.be.at.most(2)
    expect(r.silentFailures).to.equal(0)
    expect(r.refused).to.deep.equal({ WSAECONNREFUSED: 298 })
    // the first two clients (numbers 0 and 1) are the queued ones, and their data came with them
    expect(r.drained).to.deep.equal([[0, 0, 0, 0], [0, 0, 0, 1]])
    expect(r.afterDrain).to.equal(0)
    // nothing of the refused attempts stays on the server: the 2 accepted plus the one after draining
    expect(r.serverConnections).to.equal(3)
    expect(r.serverIasObjects).to.equal(0)
    expect(r.heapAfter - r.heapBefore).to.be.below(32 * 1024 * 1024)
  })
})

describe('reliability/flood with attempts interleaved on the link', () => {
  it('200 attempts, 8 at a time: still 2 queued, 198 WSAECONNREFUSED, accept drains the 2 with their data', async () => {
    const r = await flood(200, { concurrency: 8 })
    expect(r.admitted).to.equal(2)
    expect(r.silentFailures).to.equal(0)
    expect(r.refused).to.deep.equal({ WSAECONNREFUSED: 198 })
    expect(r.drained).to.have.length(2)
    for (const d of r.drained) expect(d).to.have.length(4) // each carried its client's 4-byte number
    expect(r.afterDrain).to.equal(0)
    expect(r.serverConnections).to.equal(3)
    expect(r.heapAfter - r.heapBefore).to.be.below(32 * 1024 * 1024)
  })
})
