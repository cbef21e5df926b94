/*!
 * The AT command interpreter of an emulated phone (V.250 / 3GPP TS 27.007 subset): what gammu
 * and similar tools send to identify a phone and read its phonebook. Bytes in, bytes out, no
 * I/O: `input(bytes)` returns what the phone answers. Command lines end in CR (LF ignored);
 * with echo on (ATE1, the default) the line comes back first, as a modem does. Lines longer
 * than {@link MAX_LINE} are dropped with ERROR, so a stream of junk cannot grow memory.
 */

export interface PhonebookEntry { index: number, number: string, name: string }

export interface PhoneIdentity {
  manufacturer: string
  model: string
  revision: string
  imei: string
}

export interface AtPhoneOptions {
  identity?: Partial<PhoneIdentity>
  /** The SIM phonebook ("SM"); the phone memory ("ME") is empty. */
  phonebook?: PhonebookEntry[]
}

export const DEFAULT_IDENTITY: PhoneIdentity = { manufacturer: 'irdakit', model: 'IrPhone 6210', revision: 'V 5.27 emulated', imei: '350000000000017' }
export const DEFAULT_PHONEBOOK: PhonebookEntry[] = [
  { index: 1, number: '+441632960001', name: 'Alice' },
  { index: 2, number: '+441632960002', name: 'Bob' },
  { index: 3, number: '0123456789', name: 'Dive shop' },
]

/** The longest command line kept (V.250 requires at least 40 characters). */
export const MAX_LINE = 512
const PHONEBOOK_SIZE = 100
const NAME_LENGTH = 24
const NUMBER_LENGTH = 40

export class AtPhone {
  readonly identity: PhoneIdentity
  echo = true
  /** Commands received, for tests and logs. */
  readonly commands: string[] = []
  private line = ''
  private overflow = false
  private storage = 'SM'
  private charset = 'IRA'
  private readonly books: Record<string, PhonebookEntry[]>

  constructor (opts: AtPhoneOptions = {}) {
    this.identity = { ...DEFAULT_IDENTITY, ...(opts.identity ?? {}) }
    this.books = { SM: [...(opts.phonebook ?? DEFAULT_PHONEBOOK)], ME: [] }
  }

  /** Feeds received bytes; returns the phone's answer (possibly empty). */
  input (bytes: Uint8Array): string {
    let out = ''
    for (const b of bytes) {
      const c = String.fromCharCode(b)
      if (c === '\r') {
        if (this.echo) out += this.line + '\r'
        out += this.overflow ? final('ERROR') : this.execute(this.line)
        this.line = ''
        this.overflow = false
      } else if (c === '\n') {
        // ignored, as V.250 allows
      } else if (c === '\b' || b === 0x7F) {
        this.line = this.line.slice(0, -1)
      } else if (this.line.length < MAX_LINE) {
        this.line += c
      } else {
        this.overflow = true
      }
    }
    return out
  }

  private execute (raw: string): string {
    const line = raw.trim()
    if (line === '') return ''
    if (!/^at/i.test(line)) return final('ERROR')
    this.commands.push(line)
    const body = line.slice(2)
    if (body === '') return final('OK')
    // Basic commands may be chained (ATE0V1); extended ones (+...) take the rest of the line.
    let info = ''
    let rest = body
    while (rest !== '') {
      const m = rest.startsWith('+') || rest.startsWith('^') || rest.startsWith('*') ? /^([+^*][A-Za-z]+)(.*)$/.exec(rest) : /^(&?[A-Za-z])(\d*)(.*)$/.exec(rest)
      if (m === null) return final('ERROR')
      const r = rest.startsWith('+') || rest.startsWith('^') || rest.startsWith('*') ? this.extended(m[1].toUpperCase(), m[2]) : this.basic(m[1].toUpperCase(), m[2])
      if (r === undefined) return final('ERROR')
      info += r
      rest = rest.startsWith('+') || rest.startsWith('^') || rest.startsWith('*') ? '' : m[3]
    }
    return info + final('OK')
  }

  private basic (cmd: string, arg: string): string | undefined {
    switch (cmd) {
      case 'E': this.echo = arg !== '0'; return ''
      case 'I': return arg === '' || arg === '0' ? lines(`${this.identity.manufacturer} ${this.identity.model}`) : arg === '3' ? lines(this.identity.revision) : lines(this.identity.model)
      case 'Z': case 'V': case 'Q': case 'X': case '&F': case '&C': case '&D': case 'S': return ''
      default: return undefined
    }
  }

  private extended (cmd: string, args: string): string | undefined {
    const id = this.identity
    const query = args === '?'
    const test = args === '=?'
    switch (cmd) {
      case '+CGMI': case '+GMI': return lines(id.manufacturer)
      case '+CGMM': case '+GMM': return lines(id.model)
      case '+CGMR': case '+GMR': return lines(id.revision)
      case '+CGSN': case '+GSN': return lines(id.imei)
      case '+CIMI': return lines('001010123456789')
      case '+CMEE': case '+CMGF': case '+CNMI': case '+CREG': case '+CFUN': case '+CPMS': return query ? lines(`${cmd}: 0`) : ''
      case '+CSQ': return lines('+CSQ: 20,99')
      case '+CBC': return lines('+CBC: 0,80')
      case '+CSCS':
        if (test) return lines('+CSCS: ("GSM","IRA","UCS2")')
        if (query) return lines(`+CSCS: "${this.charset}"`)
        { const m = /^="([A-Za-z0-9]+)"$/.exec(args); if (m === null || !['GSM', 'IRA', 'UCS2'].includes(m[1].toUpperCase())) return undefined; this.charset = m[1].toUpperCase(); return '' }
      case '+CPBS':
        if (test) return lines('+CPBS: ("SM","ME")')
        if (query) return lines(`+CPBS: "${this.storage}",${this.books[this.storage].length},${PHONEBOOK_SIZE}`)
        { const m = /^="([A-Za-z]{2})"$/.exec(args); if (m === null || this.books[m[1].toUpperCase()] === undefined) return undefined; this.storage = m[1].toUpperCase(); return '' }
      case '+CPBR': {
        if (test) return lines(`+CPBR: (1-${PHONEBOOK_SIZE}),${NUMBER_LENGTH},${NAME_LENGTH}`)
        const m = /^=(\d+)(?:,(\d+))?$/.exec(args)
        if (m === null) return undefined
        const from = Number(m[1])
        const to = m[2] !== undefined ? Number(m[2]) : from
        if (from < 1 || to > PHONEBOOK_SIZE || from > to) return undefined
        const found = this.books[this.storage].filter(e => e.index >= from && e.index <= to)
        return found.map(e => lines(`+CPBR: ${e.index},"${e.number}",${e.number.startsWith('+') ? 145 : 129},"${this.encodeName(e.name)}"`)).join('')
      }
      default: return undefined
    }
  }

  private encodeName (name: string): string {
    return this.charset === 'UCS2' ? [...name].map(c => c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')).join('') : name
  }
}

const lines = (text: string): string => `\r\n${text}\r\n`
const final = (code: string): string => `\r\n${code}\r\n`
