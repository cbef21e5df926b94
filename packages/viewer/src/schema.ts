/*!
 * The codes the index stores per frame and the page reads back (sent to it in `/api/info`, so
 * the page holds no copy of these tables).
 */

/** The innermost layer a frame decoded to, as stored in the index. OBEX is the viewer's own tag. */
export const LAYERS = ['LAP', 'LMP', 'IAS', 'TTP', 'IrCOMM', 'OBEX'] as const
export type ViewLayer = typeof LAYERS[number]

/** Per-frame flags, one bit each. */
export const FLAG = {
  /** The decoder stopped on malformed bytes. */
  error: 1,
  /** An I frame sent again: its N(S) was still unacknowledged. */
  retransmission: 2,
  /** REJ: the receiver asks for everything from N(R) again. */
  rej: 4,
  /** SREJ: the receiver asks for the frame N(R) again. */
  srej: 8,
  /** FRMR: the receiver refused a frame it could not accept. */
  frmr: 16,
  /** Some station in range did not receive it intact (known in emulated rooms only). */
  lost: 32,
  /** An I frame sent again later: it, or its acknowledgement, did not get through. */
  resent: 64,
  /** Sent by the capturing station (pcap direction 'out'). */
  out: 128,
} as const
export type FlagName = keyof typeof FLAG

/** Flags that make a frame a "problem" for the problems-only filter (not `out`). */
export const PROBLEM_FLAGS = FLAG.error | FLAG.retransmission | FLAG.rej | FLAG.srej | FLAG.frmr | FLAG.lost | FLAG.resent

/** The receiver of a frame meant for every station (discovery, broadcast UI), or not known. */
export const BROADCAST = 0xFFFF

/** No LSAP: the frame carries no IrLMP PDU. */
export const NO_LSAP = 0xFFFF
