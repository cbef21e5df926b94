import { expect } from 'chai'
import fc from 'fast-check'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { dongleProfile, dongleProfiles, hardwareDir, validateProfile, UnknownDongleError } from '@irdakit/serial'

const dongleDir = join(hardwareDir(), 'dongles')
const rawProfiles = readdirSync(dongleDir).filter(f => f.endsWith('.json')).map(f => ({ file: f, raw: JSON.parse(readFileSync(join(dongleDir, f), 'utf8')) as Record<string, unknown> }))

describe('serial/profiles', () => {
  it('finds the package\'s copy of hardware/ from the package source', () => {
    expect(existsSync(join(hardwareDir(), 'README.md'))).to.equal(true)
    expect(rawProfiles.length).to.be.greaterThanOrEqual(12)
  })

  it('every profile file passes the schema check, named after its file', () => {
    for (const { file, raw } of rawProfiles) {
      const check = validateProfile(raw, file.replace(/\.json$/, ''))
      expect(check, `${file}: ${check.ok ? '' : check.errors.join('; ')}`).to.deep.include({ ok: true })
    }
  })

  it('covers the dongles the issue names', () => {
    const names = dongleProfiles().map(p => p.name)
    for (const n of ['none', 'tekram', 'actisys', 'actisys-plus', 'act200l', 'esi', 'girbil', 'litelink', 'ma600', 'mcp2120', 'old-belkin', 'toim3232']) {
      expect(names).to.include(n)
    }
  })

  it('gives every profile at least one sourced fact and speeds inside SIR', () => {
    for (const p of dongleProfiles()) {
      expect(p.sources.length, p.name).to.be.greaterThan(0)
      for (const s of p.speeds) expect([2400, 9600, 19200, 38400, 57600, 115200], p.name).to.include(s)
    }
  })

  it('finds a profile by its irattach name too, and names the known ones when it cannot', () => {
    expect(dongleProfile('actisys+').name).to.equal('actisys-plus')
    expect(() => dongleProfile('nope')).to.throw(UnknownDongleError, /tekram/)
  })

  it('reports each problem with its JSON path', () => {
    const tekram = rawProfiles.find(r => r.file === 'tekram.json')!.raw
    const broken = structuredClone(tekram)
    broken.speeds = [9600, 19200]
    ;(broken.setSpeed as unknown[]).push({ wait: -1 })
    const check = validateProfile(broken, 'tekram')
    expect(check.ok).to.equal(false)
    const errors = check.ok ? [] : check.errors
    expect(errors.some(e => e.startsWith('$.setSpeed[2].write.38400'))).to.equal(true)
    expect(errors.some(e => e.startsWith('$.setSpeed[7].wait'))).to.equal(true)
    expect(validateProfile(tekram, 'other').ok).to.equal(false)
    expect(validateProfile({ ...tekram, setspeed: [] }, 'tekram')).to.deep.include({ ok: false, errors: ['$.setspeed: unknown key (a typo?)'] })
  })

  it('never throws on arbitrary JSON, and rejects what is not a profile', () => {
    fc.assert(fc.property(fc.jsonValue(), v => {
      expect(validateProfile(v).ok).to.equal(false)
    }))
  })

  it('never throws when any field of a real profile is replaced by arbitrary JSON', () => {
    const tekram = rawProfiles.find(r => r.file === 'tekram.json')!.raw
    const keys = Object.keys(tekram)
    fc.assert(fc.property(fc.constantFrom(...keys), fc.jsonValue(), (k, v) => {
      const copy = { ...tekram, [k]: v }
      const check = validateProfile(copy, 'tekram')
      if (!check.ok) expect(check.errors.length).to.be.greaterThan(0)
    }))
  })
})

describe('serial/profiles: hardware/dongle-profile.schema.json stays in step with the validator', () => {
  const schema = JSON.parse(readFileSync(join(hardwareDir(), 'dongle-profile.schema.json'), 'utf8')) as {
    required: string[], properties: Record<string, unknown>, $defs: { steps: { items: { oneOf: Array<{ required: string[] }> } }, emulation: { properties: Record<string, unknown> } }
  }

  it('every key a profile uses is in the schema, and every required key is in every profile', () => {
    for (const { file, raw } of rawProfiles) {
      for (const k of Object.keys(raw)) expect(Object.keys(schema.properties), `${file}: ${k}`).to.include(k)
      for (const k of schema.required) expect(raw, `${file} lacks ${k}`).to.have.property(k)
      for (const k of Object.keys(raw.emulation as object)) expect(Object.keys(schema.$defs.emulation.properties), `${file}: emulation.${k}`).to.include(k)
    }
  })

  it('the validator rejects a profile missing any key the schema requires', () => {
    const tekram = rawProfiles.find(r => r.file === 'tekram.json')!.raw
    for (const k of schema.required) {
      const copy: Record<string, unknown> = { ...tekram }
      delete copy[k]
      expect(validateProfile(copy, 'tekram').ok, k).to.equal(false)
    }
  })

  it('names the same six step kinds as the validator', () => {
    const kinds = schema.$defs.steps.items.oneOf.map(s => s.required[0]).sort()
    expect(kinds).to.deep.equal(['baud', 'pulse', 'read', 'set', 'wait', 'write'])
    for (const kind of kinds) {
      expect(validateProfile({ ...rawProfiles.find(r => r.file === 'none.json')!.raw, powerOn: [{ [kind]: 'nonsense' }] }, 'none').ok, kind).to.equal(false)
    }
  })
})
