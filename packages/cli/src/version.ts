/*! The version `irda --version` prints: the package's own, so a release bumps it in one place. */
import { readFileSync } from 'node:fs'

/** `version` of @irdakit/cli's package.json (one level above src/ and dist/ alike). */
export const CLI_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version
