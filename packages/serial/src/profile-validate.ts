/*!
 * Validation of dongle profile JSON. Profiles are data, so they are checked like any untrusted
 * input: every problem is collected with its JSON path, nothing throws. The result is either a
 * normalised {@link DongleProfile} or the list of problems.
 */
import type {
  CommandSet, DongleEmulation, DongleProfile, LineMode, LineModes, Lines, PerSpeed, SourcedFact, Step
} from './profile-types.js'

/** The outcome of {@link validateProfile}. */
export type ProfileCheck = { ok: true, profile: DongleProfile } | { ok: false, errors: string[] }

type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Collects problems while reading one profile. */
class Reader {
  readonly errors: string[] = []
  constructor (readonly speeds: number[]) {}

  fail (path: string, what: string): undefined { this.errors.push(`${path}: ${what}`); return undefined }

  str (o: Obj, key: string, path: string, optional = false): string | undefined {
    const v = o[key]
    if (v === undefined && optional) return undefined
    return typeof v === 'string' && v.length > 0 ? v : this.fail(`${path}.${key}`, 'expected a non-empty string')
  }

  num (v: unknown, path: string, min = 0): number | undefined {
    return typeof v === 'number' && Number.isFinite(v) && v >= min ? v : this.fail(path, `expected a number >= ${min}`)
  }

  speed (v: unknown, path: string): number | undefined {
    return Number.isInteger(v) && (v as number) > 0 ? v as number : this.fail(path, 'expected a speed in bit/s')
  }

  bool (v: unknown, path: string): boolean | undefined {
    return typeof v === 'boolean' ? v : this.fail(path, 'expected true or false')
  }

  byte (v: unknown, path: string): number | undefined {
    const n = typeof v === 'string' && /^0x[0-9a-fA-F]{1,2}$/.test(v) ? parseInt(v, 16) : v
    return Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 255 ? n as number : this.fail(path, 'expected a byte (0-255 or "0xNN")')
  }

  bytes (v: unknown, path: string): number[] | undefined {
    if (!Array.isArray(v) || v.length === 0) return this.fail(path, 'expected a non-empty array of bytes')
    const out = v.map((b, i) => this.byte(b, `${path}[${i}]`))
    return out.every((b): b is number => b !== undefined) ? out : undefined
  }

  lines (v: unknown, path: string): Lines | undefined {
    if (!isObj(v)) return this.fail(path, 'expected { dtr, rts }')
    const dtr = this.bool(v.dtr, `${path}.dtr`)
    const rts = this.bool(v.rts, `${path}.rts`)
    return dtr === undefined || rts === undefined ? undefined : { dtr, rts }
  }

  /** A per-speed table must name exactly the profile's speeds. */
  table<T> (v: Obj, path: string, item: (x: unknown, p: string) => T | undefined): PerSpeed<T> | undefined {
    const out: Record<number, T> = {}
    let good = true
    for (const [k, x] of Object.entries(v)) {
      const s = Number(k)
      if (!this.speeds.includes(s)) { this.fail(`${path}.${k}`, 'not one of the profile speeds'); good = false; continue }
      const r = item(x, `${path}.${k}`)
      if (r === undefined) good = false; else out[s] = r
    }
    for (const s of this.speeds) if (!(s in v)) { this.fail(path, `missing speed ${s}`); good = false }
    return good ? { bySpeed: out } : undefined
  }
}

function readStep (r: Reader, v: unknown, path: string): Step | undefined {
  if (!isObj(v)) return r.fail(path, 'expected a step object')
  const why = typeof v.why === 'string' ? v.why : undefined
  const kinds = ['set', 'wait', 'write', 'read', 'pulse', 'baud'].filter(k => k in v)
  if (kinds.length !== 1) return r.fail(path, 'expected exactly one of set, wait, write, read, pulse, baud')
  switch (kinds[0]) {
    case 'set': {
      const x = v.set
      const lines = isObj(x) && ('dtr' in x || 'rts' in x)
        ? mapFixed(r.lines(x, `${path}.set`))
        : isObj(x) ? r.table(x, `${path}.set`, (y, p) => r.lines(y, p)) : r.fail(`${path}.set`, 'expected lines or a per-speed table')
      return lines && { kind: 'set', lines, why }
    }
    case 'wait': {
      const ms = r.num(v.wait, `${path}.wait`)
      return ms === undefined ? undefined : { kind: 'wait', ms, why }
    }
    case 'write': {
      const bytes = Array.isArray(v.write)
        ? mapFixed(r.bytes(v.write, `${path}.write`))
        : isObj(v.write) ? r.table(v.write, `${path}.write`, (y, p) => r.bytes(y, p)) : r.fail(`${path}.write`, 'expected bytes or a per-speed table')
      return bytes && { kind: 'write', bytes, why }
    }
    case 'read': {
      const count = r.num(v.read, `${path}.read`, 1)
      const timeoutMs = v.timeoutMs === undefined ? 100 : r.num(v.timeoutMs, `${path}.timeoutMs`)
      let expect: 'echo' | PerSpeed<readonly number[]> | undefined
      if (v.expect === 'echo') expect = 'echo'
      else if (Array.isArray(v.expect)) expect = mapFixed(r.bytes(v.expect, `${path}.expect`))
      else if (isObj(v.expect)) expect = r.table(v.expect, `${path}.expect`, (y, p) => r.bytes(y, p))
      else if (v.expect !== undefined) return r.fail(`${path}.expect`, 'expected "echo", bytes or a per-speed table')
      if (count === undefined || timeoutMs === undefined || !Number.isInteger(count)) return undefined
      return { kind: 'read', count, expect, timeoutMs, why }
    }
    case 'pulse': {
      const line = v.pulse === 'dtr' || v.pulse === 'rts' ? v.pulse : r.fail(`${path}.pulse`, 'expected "dtr" or "rts"')
      const count = typeof v.count === 'number'
        ? mapFixed(r.num(v.count, `${path}.count`))
        : isObj(v.count) ? r.table(v.count, `${path}.count`, (y, p) => r.num(y, p)) : r.fail(`${path}.count`, 'expected a number or a per-speed table')
      const lowMs = r.num(v.lowMs, `${path}.lowMs`)
      const highMs = r.num(v.highMs, `${path}.highMs`)
      if (line === undefined || count === undefined || lowMs === undefined || highMs === undefined) return undefined
      return { kind: 'pulse', line, count, lowMs, highMs, why }
    }
    default: {
      const to = v.baud === 'target' || v.baud === 'default' ? v.baud : r.speed(v.baud, `${path}.baud`)
      return to === undefined ? undefined : { kind: 'baud', to, why }
    }
  }
}

function mapFixed<T> (v: T | undefined): PerSpeed<T> | undefined {
  return v === undefined ? undefined : { fixed: v }
}

function readSteps (r: Reader, v: unknown, path: string): Step[] | undefined {
  if (!Array.isArray(v)) return r.fail(path, 'expected an array of steps')
  const steps = v.map((s, i) => readStep(r, s, `${path}[${i}]`))
  return steps.every((s): s is Step => s !== undefined) ? steps : undefined
}

function readMode (r: Reader, v: unknown, path: string): LineMode | undefined {
  if (v === 'data' || v === 'command' || v === 'reset' || v === 'off' || v === 'step') return v
  if (isObj(v) && 'speed' in v) {
    const speed = r.speed(v.speed, `${path}.speed`)
    return speed === undefined ? undefined : { speed }
  }
  return r.fail(path, 'expected data, command, reset, off, step or { speed }')
}

function readCommand (r: Reader, v: unknown, path: string): CommandSet | undefined {
  if (!isObj(v)) return r.fail(path, 'expected a command object')
  const speeds: Array<{ bytes: number[], speed: number }> = []
  if (!isObj(v.speeds)) return r.fail(`${path}.speeds`, 'expected { "<hex bytes>": speed }')
  for (const [hex, speed] of Object.entries(v.speeds)) {
    const bytes = hex.trim().split(/\s+/).map(h => /^[0-9a-fA-F]{2}$/.test(h) ? parseInt(h, 16) : NaN)
    const s = r.speed(speed, `${path}.speeds.${hex}`)
    if (bytes.some(Number.isNaN)) r.fail(`${path}.speeds.${hex}`, 'key must be hex bytes like "87 91"')
    else if (s !== undefined) speeds.push({ bytes, speed: s })
  }
  const commit = v.commit === 'exit' ? 'exit' : r.bytes(v.commit, `${path}.commit`)
  const accept = v.accept === undefined ? [] : r.bytes(v.accept, `${path}.accept`)
  const echo = r.bool(v.echo, `${path}.echo`)
  if (commit === undefined || accept === undefined || echo === undefined) return undefined
  return { speeds, commit, accept, echo }
}

function readEmulation (r: Reader, v: unknown, path: string): DongleEmulation | undefined {
  if (!isObj(v)) return r.fail(path, 'expected an emulation object')
  const src = v.speedSource
  const speedSource = src === 'host' || src === 'fixed' || src === 'programmed' ? src : r.fail(`${path}.speedSource`, 'expected host, fixed or programmed')
  if (!isObj(v.lines)) return r.fail(`${path}.lines`, 'expected the four line states')
  const ln = v.lines
  const modes = (['dtr0rts0', 'dtr0rts1', 'dtr1rts0', 'dtr1rts1'] as const).map(k => readMode(r, ln[k], `${path}.lines.${k}`))
  const command = v.command === undefined ? undefined : readCommand(r, v.command, `${path}.command`)
  const stepCycle = v.stepCycle === undefined ? undefined : readSpeedList(r, v.stepCycle, `${path}.stepCycle`)
  const stepWrap = v.stepWrap === undefined ? false : r.bool(v.stepWrap, `${path}.stepWrap`)
  if (speedSource === undefined || modes.some(m => m === undefined) || stepWrap === undefined) return undefined
  const lines: LineModes = { dtr0rts0: modes[0]!, dtr0rts1: modes[1]!, dtr1rts0: modes[2]!, dtr1rts1: modes[3]! }
  const uses = (m: string): boolean => Object.values(lines).includes(m)
  if (uses('command') && command === undefined) r.fail(`${path}.command`, 'a command line state needs a command set')
  if (uses('step') && stepCycle === undefined) r.fail(`${path}.stepCycle`, 'a step line state needs a step cycle')
  return { speedSource, lines, command, stepCycle, stepWrap }
}

function readSpeedList (r: Reader, v: unknown, path: string): number[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return r.fail(path, 'expected a non-empty array of speeds')
  const out = v.map((s, i) => r.speed(s, `${path}[${i}]`))
  return out.every((s): s is number => s !== undefined) ? out : undefined
}

function readSources (r: Reader, v: unknown, path: string): SourcedFact[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return r.fail(path, 'expected at least one { fact, source }')
  const out = v.map((s, i) => isObj(s)
    ? (() => { const fact = r.str(s, 'fact', `${path}[${i}]`); const source = r.str(s, 'source', `${path}[${i}]`); return fact && source ? { fact, source } : undefined })()
    : r.fail(`${path}[${i}]`, 'expected { fact, source }'))
  return out.every((s): s is SourcedFact => s !== undefined) ? out : undefined
}

const KNOWN_KEYS = ['$schema', 'name', 'model', 'irattach', 'status', 'speeds', 'defaultSpeed', 'minTurnaroundMs', 'echo',
  'powerOn', 'reset', 'setSpeed', 'powerOff', 'emulation', 'quirks', 'sources']

/** True when some step of `steps` sets the baud rate to `to`. */
const setsBaud = (steps: readonly Step[], to: 'target' | 'default'): boolean =>
  steps.some(s => s.kind === 'baud' && s.to === to)

/**
 * Checks one parsed profile file. `fileName` (without `.json`) must equal the profile's `name`.
 * Never throws: problems come back as `{ ok: false, errors }`, each with its JSON path.
 */
export function validateProfile (raw: unknown, fileName?: string): ProfileCheck {
  if (!isObj(raw)) return { ok: false, errors: ['$: expected a JSON object'] }
  const pre = new Reader([])
  const speeds = readSpeedList(pre, raw.speeds, '$.speeds') ?? []
  const r = new Reader(speeds)
  r.errors.push(...pre.errors)
  for (const k of Object.keys(raw)) if (!KNOWN_KEYS.includes(k)) r.fail(`$.${k}`, 'unknown key (a typo?)')
  const name = r.str(raw, 'name', '$')
  if (name !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(name)) r.fail('$.name', 'use lower-case letters, digits and dashes')
  if (name !== undefined && fileName !== undefined && name !== fileName) r.fail('$.name', `must match the file name "${fileName}"`)
  const model = r.str(raw, 'model', '$')
  const irattach = r.str(raw, 'irattach', '$', true)
  const status = raw.status === 'emulated' || raw.status === 'documented' ? raw.status : r.fail('$.status', 'expected emulated or documented')
  for (let i = 1; i < speeds.length; i++) if (speeds[i] <= speeds[i - 1]) r.fail('$.speeds', 'must be strictly ascending')
  const defaultSpeed = r.speed(raw.defaultSpeed, '$.defaultSpeed')
  if (defaultSpeed !== undefined && !speeds.includes(defaultSpeed)) r.fail('$.defaultSpeed', 'must be one of the speeds')
  const minTurnaroundMs = r.num(raw.minTurnaroundMs, '$.minTurnaroundMs')
  const echo = r.bool(raw.echo, '$.echo')
  const powerOn = readSteps(r, raw.powerOn, '$.powerOn')
  const reset = readSteps(r, raw.reset, '$.reset')
  const setSpeed = readSteps(r, raw.setSpeed, '$.setSpeed')
  const powerOff = readSteps(r, raw.powerOff, '$.powerOff')
  if (reset !== undefined && !setsBaud(reset, 'default')) r.fail('$.reset', 'must end the host at the default speed ({ "baud": "default" })')
  if (setSpeed !== undefined && !setsBaud(setSpeed, 'target')) r.fail('$.setSpeed', 'must set the host to the requested speed ({ "baud": "target" })')
  const emulation = readEmulation(r, raw.emulation, '$.emulation')
  const quirks = Array.isArray(raw.quirks) && raw.quirks.every(q => typeof q === 'string') ? raw.quirks as string[] : r.fail('$.quirks', 'expected an array of strings')
  const sources = readSources(r, raw.sources, '$.sources')
  if (r.errors.length > 0) return { ok: false, errors: r.errors }
  return {
    ok: true,
    profile: {
      name: name!, model: model!, irattach, status: status!, speeds, defaultSpeed: defaultSpeed!, minTurnaroundMs: minTurnaroundMs!,
      echo: echo!, powerOn: powerOn!, reset: reset!, setSpeed: setSpeed!, powerOff: powerOff!, emulation: emulation!, quirks: quirks!, sources: sources!
    }
  }
}
