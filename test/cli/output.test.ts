import { expect } from 'chai'
import { colorAllowed, Output } from '../../packages/cli/src/output.js'

const tty = { isTTY: true }
const pipe = { isTTY: false }

describe('irda output rules', () => {
  it('colours only a TTY, never with NO_COLOR set, never on TERM=dumb', () => {
    expect(colorAllowed(tty, {})).to.equal(true)
    expect(colorAllowed(pipe, {})).to.equal(false)
    expect(colorAllowed(tty, { NO_COLOR: '1' })).to.equal(false)
    expect(colorAllowed(tty, { TERM: 'dumb' })).to.equal(false)
    expect(colorAllowed(pipe, { FORCE_COLOR: '1' })).to.equal(true)
  })

  it('draws no progress and no colour in JSON mode, even on a TTY', () => {
    const written: string[] = []
    const stream = { isTTY: true, write: (s: string) => { written.push(s); return true } } as unknown as NodeJS.WriteStream
    const out = new Output({ json: true, stdout: stream, stderr: stream, env: {} })
    out.progress('x', 1, 2)
    out.line('hidden')
    expect(out.style('red', 'plain')).to.equal('plain')
    expect(written).to.deep.equal([])
  })
})
