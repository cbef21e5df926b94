/*!
 * `npm run soak -- [--mb 10] [--seed 1] [--json]`: the soak of issue 13. Sends `--mb` MB through
 * the Node IrSock API at 115200 bit/s with BER 1e-5, error bursts and a 2 s obstruction, in
 * virtual time, and compares SHA-256; then blocks the beam for good mid-transfer and checks
 * that both sockets fail within the link-disconnect time plus one poll period, after an exact
 * prefix. Exits 1 on any failure.
 */
import { parseArgs } from 'node:util'
import { runSoak, runLinkLoss, SOAK_FAULTS } from './soak.js'

const { values } = parseArgs({ options: { mb: { type: 'string', default: '10' }, seed: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } } })
const bytes = Math.round(Number(values.mb) * 1_000_000)
const seed = Number(values.seed)
if (!Number.isFinite(bytes) || bytes < 1 || !Number.isInteger(seed)) {
  console.error('usage: npm run soak -- [--mb <megabytes, default 10>] [--seed <integer>] [--json]')
  process.exit(2)
}
if (!values.json) console.error(`soak: ${bytes} bytes at 115200 bit/s, BER ${SOAK_FAULTS.ber}, bursts ${JSON.stringify(SOAK_FAULTS.burst)}, obstruction ${JSON.stringify(SOAK_FAULTS.obstruction)}, seed ${seed} ...`)
const soak = await runSoak({ bytes, seed, ...SOAK_FAULTS })
const loss = await runLinkLoss({ bytes: 200_000, afterMs: 3000, seed })
const soakOk = soak.receivedSha256 === soak.sentSha256 && soak.receivedBytes === bytes && soak.errors.length === 0
const bound = loss.linkDisconnectMs + loss.pollMs
const lossOk = loss.exactPrefix && loss.client.code !== 'orderly end' && loss.server.code !== 'orderly end' &&
  loss.client.afterMs <= bound && loss.server.afterMs <= bound
if (values.json) console.log(JSON.stringify({ soak, linkLoss: loss, ok: soakOk && lossOk }, null, 2))
else {
  console.log(`soak: ${soak.receivedBytes} of ${soak.bytes} bytes, SHA-256 ${soak.receivedSha256 === soak.sentSha256 ? 'equal' : 'DIFFERENT'} (${soak.sentSha256})`)
  console.log(`  ${soak.virtualSeconds} s of link time at ${soak.baudRate} bit/s (${soak.wallSeconds} s wall), goodput ${soak.goodputBps} bit/s, ${soak.retransmissions} retransmissions, ${soak.rxErrors} damaged frames${soak.errors.length > 0 ? ', errors: ' + soak.errors.join(', ') : ''}`)
  console.log(`link loss: beam blocked for good 3 s into a transfer; link-disconnect ${loss.linkDisconnectMs} ms + poll ${loss.pollMs} ms = ${bound} ms`)
  console.log(`  client ${loss.client.code} after ${loss.client.afterMs.toFixed(1)} ms, server ${loss.server.code} after ${loss.server.afterMs.toFixed(1)} ms; server got ${loss.receivedBytes} bytes, ${loss.exactPrefix ? 'an exact prefix' : 'NOT a prefix'}`)
  console.log(soakOk && lossOk ? 'soak: ok' : 'soak: FAILED')
}
process.exit(soakOk && lossOk ? 0 : 1)
