/*!
 * `npm run irda -- ...` and `npm run demo -- ...` run the CLI from the repository root, but the
 * user typed relative paths (`recv --out`, `--pcap`, `serve --dir`, `dump <file>`) from where
 * they stand. npm records that directory in INIT_CWD, so we move there first.
 */

/** The npm scripts of the repository that run this CLI. */
const OUR_SCRIPTS = new Set(['irda', 'demo'])

/**
 * Changes to the user's directory when started by one of our npm scripts. Other children of npm
 * (a test run spawning `irda`) inherit INIT_CWD too, so the script's name decides, not INIT_CWD.
 */
export function enterUserCwd (env: NodeJS.ProcessEnv = process.env): void {
  const dir = env.INIT_CWD
  if (dir === undefined || dir === '' || !OUR_SCRIPTS.has(env.npm_lifecycle_event ?? '')) return
  process.chdir(dir)
}
