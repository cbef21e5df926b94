/*! The catalogue: every case, in run order. IDs are stable: never renumber, only add. */
import type { CaseDef } from '../case.js'
import { LAP_XID } from './lap-xid.js'
import { LAP_CON } from './lap-con.js'
import { LAP_DATA } from './lap-data.js'
import { LAP_ERR } from './lap-err.js'
import { LAP_PRI } from './lap-pri.js'
import { LAP_MORE } from './lap-more.js'
import { LMP } from './lmp.js'
import { IAS } from './ias.js'
import { TTP } from './ttp.js'
import { SOCK } from './sock.js'
import { HOSTILE } from './hostile.js'
import { EDGES } from './edges.js'

export const CATALOGUE: readonly CaseDef[] = [
  ...LAP_XID,
  ...LAP_CON,
  ...LAP_DATA,
  ...LAP_ERR,
  ...LAP_PRI,
  ...LAP_MORE,
  ...LMP,
  ...IAS,
  ...TTP,
  ...SOCK,
  ...HOSTILE,
  ...EDGES,
]
