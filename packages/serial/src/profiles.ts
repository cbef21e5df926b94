/*!
 * Loading dongle profiles from `hardware/dongles/*.json`.
 *
 * Where the files are found: the repository root is three levels above this module, both from
 * source (`packages/serial/src/profiles.ts`) and from the build (`packages/serial/dist/profiles.js`),
 * so the directory is `<repo>/hardware/dongles/`. Set `IRDAKIT_HARDWARE_DIR` to a directory
 * holding a `dongles/` folder to use other files (an installed copy, a test fixture).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ProfileError, UnknownDongleError } from './errors.js'
import type { DongleProfile } from './profile-types.js'
import { validateProfile } from './profile-validate.js'

/** The directory holding `dongles/` (and the README): `IRDAKIT_HARDWARE_DIR` or `<repo>/hardware`. */
export function hardwareDir (): string {
  return process.env.IRDAKIT_HARDWARE_DIR ?? fileURLToPath(new URL('../../../hardware/', import.meta.url))
}

const cache = new Map<string, DongleProfile[]>()

/** Reads and validates one profile file; throws {@link ProfileError} naming every problem. */
export function loadProfileFile (path: string): DongleProfile {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    throw new ProfileError(path, [`cannot read or parse: ${(e as Error).message}`])
  }
  const fileName = path.replace(/^.*[\\/]/, '').replace(/\.json$/, '')
  const check = validateProfile(raw, fileName)
  if (!check.ok) throw new ProfileError(path, check.errors)
  return check.profile
}

/**
 * Every dongle profile in `hardware/dongles/`, sorted by name. Files are read once per
 * directory. Throws {@link ProfileError} if a file is broken: profiles are part of the install.
 */
export function dongleProfiles (): DongleProfile[] {
  const dir = join(hardwareDir(), 'dongles')
  let list = cache.get(dir)
  if (list === undefined) {
    let files: string[]
    try {
      files = readdirSync(dir).filter(f => f.endsWith('.json')).sort()
    } catch (e) {
      throw new ProfileError(dir, [`cannot list the profile directory: ${(e as Error).message}`])
    }
    list = files.map(f => loadProfileFile(join(dir, f)))
    cache.set(dir, list)
  }
  return [...list]
}

/** The profile called `name` (also found by its `irattach` name); {@link UnknownDongleError} otherwise. */
export function dongleProfile (name: string): DongleProfile {
  const all = dongleProfiles()
  const found = all.find(p => p.name === name) ?? all.find(p => p.irattach === name)
  if (found === undefined) throw new UnknownDongleError(name, all.map(p => p.name))
  return found
}
