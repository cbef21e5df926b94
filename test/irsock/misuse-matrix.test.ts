/*!
 * Issue 13, the misuse matrix: every IrSock function in every socket state, with good and bad
 * arguments, against the table below (what Winsock documents; docs/irsock.md says where it is
 * silent and which error irdakit chose). The same table is generated into docs/reliability.md
 * between `<!-- misuse-matrix:start -->` and `<!-- misuse-matrix:end -->`; this test fails when
 * the doc is stale. `UPDATE_DOCS=1 npm run test:one -- test/irsock/misuse-matrix.test.ts` rewrites it.
 */
import { expect } from 'chai'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { MATRIX, SOCKETLESS_STATES, STATES, renderMatrix, runMatrix, type MatrixResult } from './misuse-matrix.js'

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url))
const START = '<!-- misuse-matrix:start -->'
const END = '<!-- misuse-matrix:end -->'

const OK = '0'
const EFAULT = 'WSAEFAULT'
const EINVAL = 'WSAEINVAL'
const ISCONN = 'WSAEISCONN'
const NOTCONN = 'WSAENOTCONN'
const NOTSOCK = 'WSAENOTSOCK'
const NI = 'WSANOTINITIALISED'
/** closed, not a socket, before WSAStartup: the same for every socket call. */
const DEAD = [NOTSOCK, NOTSOCK, NI]
/** The same cell in the six live states (fresh, bound, listening, connecting, connected, shut down), then DEAD. */
const six = (cell: string): string[] => [...Array<string>(6).fill(cell), ...DEAD]
/** fresh, bound, listening, connecting, connected, shut down, then DEAD. */
const live = (...cells: string[]): string[] => { expect(cells).to.have.length(6); return [...cells, ...DEAD] }

/** The expected cells, per function, row by row in MATRIX order. */
const EXPECTED: Record<string, string[][]> = {
  WSAStartup: [[OK, OK], [OK, OK], ['WSAVERNOTSUPPORTED', 'WSAVERNOTSUPPORTED'], ['WSAVERNOTSUPPORTED', 'WSAVERNOTSUPPORTED'],
    ['WSAVERNOTSUPPORTED', 'WSAVERNOTSUPPORTED'], [EFAULT, EFAULT], [EFAULT, EFAULT]],
  WSACleanup: [[OK, NI]],
  WSAGetLastError: [[EINVAL, EINVAL], [EINVAL, EINVAL]],
  socket: [['socket', NI], ['WSAEAFNOSUPPORT', NI], ['WSAESOCKTNOSUPPORT', NI], ['WSAEPROTONOSUPPORT', NI], ['WSAEAFNOSUPPORT', NI], ['WSAEAFNOSUPPORT', NI]],
  bind: [
    live(OK, EINVAL, EINVAL, EINVAL, EINVAL, EINVAL), // a socket binds once; a connected one is bound already
    live(OK, EINVAL, EINVAL, EINVAL, EINVAL, EINVAL),
    live('WSAEADDRNOTAVAIL', EINVAL, EINVAL, EINVAL, EINVAL, EINVAL),
    live('WSAEADDRNOTAVAIL', EINVAL, EINVAL, EINVAL, EINVAL, EINVAL),
    six(EFAULT), six(EFAULT), six(EFAULT), six(EFAULT), // family mismatch, null, short, namelen 1.5
  ],
  listen: [
    live(EINVAL, OK, OK, ISCONN, ISCONN, ISCONN), live(EINVAL, OK, OK, ISCONN, ISCONN, ISCONN), live(EINVAL, OK, OK, ISCONN, ISCONN, ISCONN),
    six(EINVAL), six(EINVAL), six(EINVAL), six(EINVAL), // NaN, undefined, 1.5, '3'
  ],
  accept: [
    live(EINVAL, EINVAL, 'socket', EINVAL, EINVAL, EINVAL), live(EINVAL, EINVAL, 'socket', EINVAL, EINVAL, EINVAL),
    live(EINVAL, EINVAL, 'socket', EINVAL, EINVAL, EINVAL), six(EFAULT), six(EFAULT), six(EFAULT),
  ],
  connect: [
    live(OK, EINVAL, EINVAL, 'WSAEALREADY', ISCONN, ISCONN),
    live('WSAECONNREFUSED', EINVAL, EINVAL, 'WSAEALREADY', ISCONN, ISCONN),
    live('WSAEADDRNOTAVAIL', EINVAL, EINVAL, 'WSAEALREADY', ISCONN, ISCONN),
    live(EINVAL, EINVAL, EINVAL, 'WSAEALREADY', ISCONN, ISCONN),
    live('WSAEADDRNOTAVAIL', EINVAL, EINVAL, 'WSAEALREADY', ISCONN, ISCONN), // IrLMP cannot carry the name: not a valid address
    six('WSAEAFNOSUPPORT'), six(EFAULT), six(EFAULT),
  ],
  send: [
    live(NOTCONN, NOTCONN, NOTCONN, NOTCONN, '3', 'WSAESHUTDOWN'), live(NOTCONN, NOTCONN, NOTCONN, NOTCONN, '0', 'WSAESHUTDOWN'),
    six(EFAULT), six(EFAULT), six(EFAULT), six(EFAULT), six('WSAEOPNOTSUPP'), six(EINVAL),
  ],
  recv: [
    live(NOTCONN, NOTCONN, NOTCONN, NOTCONN, '2', 'WSAESHUTDOWN'), live(NOTCONN, NOTCONN, NOTCONN, NOTCONN, '0', 'WSAESHUTDOWN'),
    six(EFAULT), six(EFAULT), six(EFAULT), six('WSAEOPNOTSUPP'), six(EINVAL),
  ],
  shutdown: [live(NOTCONN, NOTCONN, NOTCONN, NOTCONN, OK, OK), six(EINVAL), six(EINVAL), six(EINVAL)],
  closesocket: [six(OK)],
  getsockopt: [
    six(OK), live(NOTCONN, NOTCONN, NOTCONN, NOTCONN, OK, OK),
    // while a connect waits for a quiet medium a discovery is refused (media busy) and nothing is known yet: try again
    live(OK, OK, OK, 'WSAEWOULDBLOCK', OK, OK), six(EFAULT), six(OK), six(EINVAL),
    six(EFAULT), six(EFAULT), six('WSAENOPROTOOPT'), six(EINVAL),
  ],
  setsockopt: [
    live(OK, EINVAL, EINVAL, ISCONN, ISCONN, ISCONN), six(OK), six(OK), six(EINVAL), six(EFAULT), six(EFAULT), six(EFAULT), six(EINVAL),
  ],
  ioctlsocket: [
    six(OK), live('0, value 0', '0, value 0', '0, value 0', '0, value 0', '0, value 2', '0, value 2'),
    six(EFAULT), six(EFAULT), six(EFAULT), six(EINVAL), six(EINVAL),
  ],
}

/** Replaces what lies between the markers of `text`; undefined when it has none. */
function splice (text: string, table: string): string | undefined {
  const a = text.indexOf(START)
  const b = text.indexOf(END)
  return a >= 0 && b > a ? text.slice(0, a + START.length) + '\n' + table + '\n' + text.slice(b) : undefined
}

/** docs/reliability.md, and the same text with `table` between its markers. */
function docTarget (table: string): { path: string, current: string, wanted: string | undefined } {
  const path = DOCS + 'reliability.md'
  const current = existsSync(path) ? readFileSync(path, 'utf8') : ''
  return { path, current, wanted: splice(current, table) }
}

describe('irsock/misuse matrix: every function, every socket state, good and bad arguments (issue 13)', function () {
  let result: MatrixResult
  before(async function () { result = await runMatrix() })

  it('the expected table covers every call of the matrix', () => {
    for (const { fn, socketless, cases } of MATRIX) {
      expect(EXPECTED[fn], fn).to.have.length(cases.length)
      for (const row of EXPECTED[fn]) expect(row, fn).to.have.length(socketless === true ? SOCKETLESS_STATES.length : STATES.length)
    }
  })

  it('no call throws, rejects or pretends success; every result is the expected one', () => {
    const wrong: string[] = []
    for (const { fn, socketless } of MATRIX) {
      const states: readonly string[] = socketless === true ? SOCKETLESS_STATES : STATES
      result[fn].forEach(([args, cells], i) => cells.forEach((got, j) => {
        const want = EXPECTED[fn][i]?.[j]
        if (got !== want) wrong.push(`${fn}(${args}) in state ${states[j]}: got ${got}, expected ${String(want)}`)
      }))
    }
    expect(wrong, wrong.join('\n')).to.deep.equal([])
  })

  it('docs/reliability.md holds this table between its markers', () => {
    const { path, current, wanted } = docTarget(renderMatrix(result))
    expect(wanted, `${path} has no ${START} ... ${END} markers`).to.be.a('string')
    if (process.env.UPDATE_DOCS === '1') writeFileSync(path, wanted as string)
    else expect(current === wanted, `${path} is stale: run UPDATE_DOCS=1 npm run test:one -- test/irsock/misuse-matrix.test.ts`).to.equal(true)
  })
})
