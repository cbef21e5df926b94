/*!
 * The target kinds besides loopback, in real time: our stack behind a socat pty pair (as
 * `pty:` and as `serial:` with a dongle profile) and in a served room (`room:`). A few cases
 * each: what is checked here is the path to the device, not the stack again.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { addEchoService, formatTrace, openTarget, runSuite, selectCases, TargetError, type Report } from '@irdakit/conformance'
import { connectRoom, serveRoom } from '@irdakit/emulator'
import { openSerialPort } from '@irdakit/serial'
import { IrdaStack } from '@irdakit/stack'
import { ptyPair, skipWithoutSocat } from '../serial/socat.js'

const CASES = selectCases(['LAP/SEC/XID/BV-01', 'LAP/SEC/CON/BV-01', 'LAP/SEC/DATA/BV-02', 'LAP/SEC/CON/TI-02', 'IAS/SRV/GVBC/BI-06', 'TTP/SRV/CON/BV-01'])
const findings = (r: Report): string => r.results.filter(c => c.verdict !== 'PASS' && c.verdict !== 'N/A').map(c => `${c.verdict} ${c.id}: ${c.reasons.join('; ')}\n${formatTrace(c.trace).join('\n')}`).join('\n')

describe('conformance targets: pty, serial and room', function () {
  this.timeout(60_000)

  describe('over a socat pty pair', function () {
    beforeEach(function () { skipWithoutSocat(this) })

    for (const kind of ['pty', 'serial'] as const) {
      it(`${kind}: runs the cases against our stack on the other end; ${kind === 'pty' ? 'timing cases are N/A on a bare pty' : 'with a dongle profile'}`, async () => {
        const pair = await ptyPair()
        const port = await openSerialPort({ path: pair.a, dongle: 'none' })
        // 9600 only: a speed change on a socat pty proves nothing and races the pty's termios.
        const stack = IrdaStack.create({ port, nickname: 'irdakit-pty', seed: 3, qos: { speeds: [9600] } })
        addEchoService(stack)
        try {
          const target = await openTarget(`${kind}:${pair.b}`, { echoClass: 'Echo', dongle: 'none' })
          const cases = kind === 'pty' ? CASES : CASES.filter(c => !(c.needs ?? []).includes('timing'))
          const report = await runSuite(target, { cases }).finally(async () => { await target.close() })
          expect(report.sanity).to.deep.equal({ before: 'ok', after: 'ok' })
          expect(findings(report)).to.equal('')
          expect(report.profile?.deviceAddress).to.equal(stack.deviceAddress)
          if (kind === 'pty') expect(report.results.find(c => c.id === 'LAP/SEC/CON/TI-02')?.verdict).to.equal('N/A')
        } finally {
          await stack.close(0).catch(() => {})
          await port.close().catch(() => {})
          pair.kill()
        }
      })
    }
  })

  it('room: runs the cases against our stack in a served room', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irdakit-conf-room-'))
    const path = join(dir, 'room.sock')
    const server = await serveRoom({ path })
    const port = await connectRoom(path, { name: 'device', supportedSpeeds: [9600, 115200] })
    const stack = IrdaStack.create({ port, nickname: 'irdakit-room', seed: 4 })
    addEchoService(stack)
    try {
      const target = await openTarget(`room:${path}`, { echoClass: 'Echo' })
      const report = await runSuite(target, { cases: CASES }).finally(async () => { await target.close() })
      expect(report.sanity).to.deep.equal({ before: 'ok', after: 'ok' })
      expect(findings(report)).to.equal('')
    } finally {
      await stack.close(0).catch(() => {})
      await port.close().catch(() => {})
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses a target it does not know, and a pty that does not exist, in one line', async () => {
    let err: unknown
    try { await openTarget('tcp:1.2.3.4') } catch (e) { err = e }
    expect(err).to.be.instanceOf(TargetError)
    expect((err as Error).message).to.match(/unknown target "tcp:1.2.3.4": use loopback, pty:<path>, serial:<path> or room:<socket>/)
    err = undefined
    try { await openTarget('pty:/nonexistent/pty') } catch (e) { err = e }
    expect(err).to.be.instanceOf(TargetError)
    expect((err as Error).message).to.match(/cannot open pty:\/nonexistent\/pty/)
  })
})
