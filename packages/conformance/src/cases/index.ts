/*! The catalogue: every case, in run order. IDs are stable: never renumber, only add. */
import type { CaseDef } from '../case.js'
import { LAP_XID } from './lap-xid.js'

export const CATALOGUE: readonly CaseDef[] = [
  ...LAP_XID,
]
