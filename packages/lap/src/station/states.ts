/*!
 * IrLAP station states (IrLAP 1.1 section 6, the state descriptions of the primary and the
 * secondary). The transitions between them are in `table.ts`, and only there.
 */

export const LAP_STATES = [
  /** Normal disconnected mode: idle, answers discovery, TEST and SNRM. */
  'NDM',
  /** Discovery initiator: sending XID slots, collecting answers. */
  'QUERY',
  /** Discovery responder: waiting for our slot or for the final XID. */
  'REPLY',
  /** Secondary: SNRM received, waiting for the layer above to accept (connect response). */
  'CONN',
  /** Primary: SNRM sent, waiting for UA. */
  'SETUP',
  /** Primary in NRM holding the line (nothing sent yet this turn, P timer running). */
  'XMIT_P',
  /** Primary in NRM after a frame with P: waiting for the response with F (F timer running). */
  'RECV_P',
  /** Primary: DISC sent, waiting for UA or DM. */
  'PCLOSE',
  /** Primary: an invalid response or FRMR was received; waiting for the layer above to reset or disconnect. */
  'RESET_WAIT',
  /** Primary: reset SNRM sent in NRM, waiting for UA. */
  'RESET',
  /** Secondary in NRM, waiting for a frame with P (WD timer running). */
  'RECV_S',
  /** Secondary: our response with F is on its way out (WD starts when it has left). */
  'XMIT_S',
  /** Secondary: RD sent, waiting for the primary's DISC. */
  'SCLOSE',
  /** Secondary: SNRM received in NRM (reset), waiting for the layer above's reset response. */
  'RESET_CHECK',
  /** Secondary: FRMR sent; it is repeated to every poll until SNRM (reset) or DISC (IrLAP 1.1 section 5.7.7). */
  'ERROR_S',
] as const

export type LapState = typeof LAP_STATES[number]

/** The NRM data-transfer states where data requests are accepted. */
export const CONNECTED_STATES: ReadonlySet<LapState> = new Set(['XMIT_P', 'RECV_P', 'RECV_S', 'XMIT_S', 'RESET_WAIT', 'RESET', 'RESET_CHECK', 'ERROR_S', 'PCLOSE', 'SCLOSE'])

export const isPrimaryState = (s: LapState): boolean => s === 'SETUP' || s === 'XMIT_P' || s === 'RECV_P' || s === 'PCLOSE' || s === 'RESET_WAIT' || s === 'RESET'
export const isSecondaryState = (s: LapState): boolean => s === 'CONN' || s === 'RECV_S' || s === 'XMIT_S' || s === 'SCLOSE' || s === 'RESET_CHECK' || s === 'ERROR_S'
