import { expect } from 'chai'
import { DEFAULT_SETTINGS, FLOW } from '@irdakit/ircomm'
import { parseStty, settingsOf, termiosChange, type PtyTermios } from './pty-bridge.js'

/** `stty -F <socat pty> -a` after `stty 19200 cstopb crtscts` (GNU coreutils 9.1, Linux). */
const STTY_A = `speed 19200 baud; rows 0; columns 0; line = 0;
intr = ^C; quit = ^\\; erase = ^?; kill = ^U; eof = ^D; eol = <undef>;
eol2 = <undef>; swtch = <undef>; start = ^Q; stop = ^S; susp = ^Z; rprnt = ^R;
werase = ^W; lnext = ^V; discard = ^O; min = 1; time = 0;
-parenb -parodd -cmspar cs8 -hupcl cstopb cread -clocal crtscts
-ignbrk -brkint -ignpar -parmrk -inpck -istrip -inlcr -igncr -icrnl -ixon -ixoff
-iuclc -ixany -imaxbel -iutf8
-opost -olcuc -ocrnl onlcr -onocr -onlret -ofill -ofdel nl0 cr0 tab0 bs0 vt0 ff0
-isig -icanon iexten -echo echoe echok -echonl -noflsh -xcase -tostop -echoprt
echoctl echoke -flusho -extproc
`

const at = (speed: number, crtscts = false): PtyTermios => ({ speed, format: { wordLength: 8, stopBits: 1, parity: 'none' }, crtscts })

describe('cli/pty-bridge: termios to IrCOMM', () => {
  it('reads speed, size, parity, stop bits and CRTSCTS from stty -a', () => {
    expect(parseStty(STTY_A)).to.deep.equal({ speed: 19200, format: { wordLength: 8, stopBits: 2, parity: 'none' }, crtscts: true })
    const sevenOdd = STTY_A.replace('-parenb -parodd', 'parenb parodd').replace('cs8', 'cs7').replace(' cstopb', ' -cstopb')
    expect(parseStty(sevenOdd)?.format).to.deep.equal({ wordLength: 7, stopBits: 1, parity: 'odd' })
    expect(parseStty(sevenOdd.replace('-cmspar', 'cmspar'))?.format.parity).to.equal('mark')
    expect(parseStty('stty: /dev/pts/9: Input/output error')).to.equal(undefined)
  })

  it('maps a termios to the data rate, the PI 0x11 byte and RTS/CTS in (as ircomm_tty_ioctl.c), keeping other flow bits', () => {
    const t = parseStty(STTY_A) as PtyTermios
    expect(settingsOf(t, { ...DEFAULT_SETTINGS, flowControl: FLOW.XON_XOFF_IN })).to.deep.equal({ dataRate: 19200, dataFormat: 0x07, flowControl: FLOW.XON_XOFF_IN | FLOW.RTS_CTS_IN })
    expect(settingsOf({ ...t, crtscts: false }, { ...DEFAULT_SETTINGS, flowControl: FLOW.RTS_CTS_IN }).flowControl).to.equal(0)
    // B0 carries no rate: the last one stays.
    expect(settingsOf(at(0), { ...DEFAULT_SETTINGS, dataRate: 57600 }).dataRate).to.equal(57600)
  })

  it('B0 (hang up) drops DTR and RTS, leaving B0 raises them; no change, nothing to send', () => {
    expect(termiosChange(at(9600), at(9600), DEFAULT_SETTINGS)).to.equal(undefined)
    expect(termiosChange(at(9600), at(19200), DEFAULT_SETTINGS)).to.deep.equal({ settings: { dataRate: 19200, dataFormat: 0x03, flowControl: 0 } })
    expect(termiosChange(at(9600), at(0), DEFAULT_SETTINGS)?.dte).to.deep.equal({ dtr: false, rts: false })
    expect(termiosChange(at(0), at(9600), DEFAULT_SETTINGS)?.dte).to.deep.equal({ dtr: true, rts: true })
    expect(termiosChange(at(9600), at(9600, true), DEFAULT_SETTINGS)).to.deep.equal({ settings: { dataRate: 9600, dataFormat: 0x03, flowControl: FLOW.RTS_CTS_IN } })
  })
})
