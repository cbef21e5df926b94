/*! @irdakit/phy: IrPHY framing: SIR wrapping with FCS-16, MIR/FIR frame checks, speed and timing tables. Pure, no I/O. */
export { fcs16, fcs32, crc16, crc32, appendFcs16, appendFcs32, checkFcs16, checkFcs32, FCS16_RESIDUE, FCS32_RESIDUE } from './crc.js'
export { MAX_DATA_SIZE, MAX_LAP_FRAME, type FrameErrorReason, type SirEvent, type FrameUnwrapper } from './events.js'
export { sirWrap, SirUnwrapper, XBOF, BOF, EOF, CE, SIR_MAX_FRAME, SIR_MIN_FRAME, type SirWrapOptions, type UnwrapperOptions } from './sir.js'
export { mirWrap, MirUnwrapper, MIR_FLAG, MIR_START_FLAGS, MIR_MAX_FRAME } from './mir.js'
export { firWrap, FirUnwrapper, FIR_PREAMBLE_REPEATS, FIR_START_FLAG, FIR_STOP_FLAG, FIR_OVERHEAD_WIRE_BYTES, FIR_MAX_FRAME } from './fir.js'
export { SPEEDS, SPEED_TABLE, DEFAULT_SPEED, speedInfo, isSupportedSpeed, wrapForSpeed, createUnwrapper, airtimeMs, UnsupportedSpeedError, type SpeedInfo, type Modulation } from './speed.js'
export { pooledBytes, pooledCopy } from './pool.js'
export { additionalBofs, minTurnaroundMs, xbofsForDelay, ADDITIONAL_BOFS_AT_115200, MIN_TURNAROUND_MS } from './turnaround.js'
