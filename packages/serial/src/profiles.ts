/*!
 * Loading dongle profiles from the package's `hardware/dongles/*.json`.
 *
 * Where the files are found: `packages/serial/hardware/` is a copy of the repository's
 * `hardware/` (the single source; `npm run sync:hardware` refreshes the copy and a test fails
 * when it is stale). It sits one level above this module both from source (`src/profiles.ts`)
 * and from the build (`dist/profiles.js`), so an installed package finds its own profiles under
 * `node_modules`. Set `IRDAKIT_HARDWARE_DIR` to a directory holding a `dongles/` folder to use
 * other files (a test fixture, profiles of your own).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ProfileError, UnknownDongleError } from './errors.js'
import type { DongleProfile } from './profile-types.js'
import { validateProfile } from './profile-validate.js'

/** The directory holding `dongles/` (and the README): `IRDAKIT_HARDWARE_DIR` or the package's `hardware/`. */
export function hardwareDir (): string {
  return process.env.IRDAKIT_HARDWARE_DIR ?? fileURLToPath(new URL('../hardware/', import.meta.url))
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
 * Every dongle profile in the package's `hardware/dongles/`, sorted by name. Files are read once per
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
