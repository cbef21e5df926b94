#!/usr/bin/env node
// Sets one version on every package of the repository (they are released together) and the
// ranges between them to ^<version>, so the packed tarballs depend on each other as released.
//   node scripts/set-version.mjs 0.2.0      (then npm install to bring the lock in step)
// docs/releasing.md has the whole release.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'

const version = process.argv[2]
if (version === undefined || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
  console.error('usage: node scripts/set-version.mjs <major.minor.patch[-pre]>')
  process.exit(2)
}
const root = new URL('../', import.meta.url)
const files = readdirSync(new URL('packages/', root))
  .map(dir => new URL(`packages/${dir}/package.json`, root))
  .filter(f => existsSync(f))
const names = new Set(files.map(f => JSON.parse(readFileSync(f, 'utf8')).name))
for (const f of files) {
  const pkg = JSON.parse(readFileSync(f, 'utf8'))
  pkg.version = version
  for (const deps of [pkg.dependencies, pkg.devDependencies, pkg.peerDependencies]) {
    for (const name of Object.keys(deps ?? {})) if (names.has(name)) deps[name] = `^${version}`
  }
  writeFileSync(f, JSON.stringify(pkg, null, 2) + '\n')
  console.log(`${pkg.name} ${version}`)
}
