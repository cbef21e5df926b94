/*! `irda emulate` in its demonstration room, and the one-line usage errors of `irda comm` and `irda emulate`. */
import { expect } from 'chai'
import { runIrda, stderrLines } from '../cli/run-irda.js'

describe('ircomm/irda emulate and irda comm (command line)', function () {
  this.timeout(60_000)

  it('irda emulate phone: a laptop identifies the phone and reads its phonebook', () => {
    const r = runIrda(['emulate', 'phone', '--json'])
    expect(r.status, r.stderr).to.equal(0)
    const ex = r.stdout.trim().split('\n').map(l => JSON.parse(l) as { sent: string, answer: string })
    expect(ex.map(e => e.sent)).to.deep.equal(['ATE0', 'ATI', 'AT+CGMI', 'AT+CGMM', 'AT+CGMR', 'AT+CGSN', 'AT+CPBS="SM"', 'AT+CPBR=1,10'])
    expect(ex[2].answer).to.equal('\r\nirdakit\r\n\r\nOK\r\n')
    expect(ex[7].answer).to.include('+CPBR: 1,"+441632960001",145,"Alice"')
  })

  it('irda emulate mcp2150: readings, one per line asked', () => {
    const r = runIrda(['emulate', 'mcp2150'])
    expect(r.status, r.stderr).to.equal(0)
    expect(r.stdout).to.include('READ           -> #1 T=21.1 C').and.include('#2 T=21.2 C')
  })

  it('refuses what it cannot do in one line, exit 2', () => {
    for (const args of [['emulate', 'toaster'], ['comm', '--service', '5-wire'], ['comm', 'x', '--server'], ['comm', '--emulate', 'toaster']]) {
      const r = runIrda(args)
      expect(r.status, args.join(' ')).to.equal(2)
      expect(stderrLines(r), args.join(' ')).to.have.length(1)
    }
  })
})
