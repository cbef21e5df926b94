/*! The release tool: lerna (lerna.json, a devDependency) sees every package of the workspace at the one fixed version. */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('release: lerna', function () {
  this.timeout(60_000)

  it('lists every package in packages/, each at the version lerna.json fixes', () => {
    const r = spawnSync(process.execPath, [join(root, 'node_modules/lerna/dist/cli.js'), 'list', '--json', '--loglevel', 'silent'], {
      cwd: root, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    })
    expect(r.status, r.stderr).to.equal(0)
    const listed = JSON.parse(r.stdout) as Array<{ name: string, version: string }>
    const dirs = readdirSync(join(root, 'packages')).filter(d => existsSync(join(root, 'packages', d, 'package.json')))
    const names = dirs.map(d => (JSON.parse(readFileSync(join(root, 'packages', d, 'package.json'), 'utf8')) as { name: string }).name)
    expect(listed.map(p => p.name).sort()).to.deep.equal(names.sort())
    const { version } = JSON.parse(readFileSync(join(root, 'lerna.json'), 'utf8')) as { version: string }
    expect(new Set(listed.map(p => p.version))).to.deep.equal(new Set([version]))
  })
})
