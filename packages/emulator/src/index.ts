/*! @irdakit/emulator: An emulated IR medium: rooms of stations with real timing, faults and pcap capture. */
export { Room, type RoomOptions, type TapListener, type TapRecord, type TapReception, type ReceiveResult } from './room.js'
export { EmulatedPort, type EmulatedPortOptions, type MediumLink, type DeliveryResult } from './port.js'
export { Medium } from './medium.js'
export type { StationMessage, MediumMessage, MediumOutput, TransmissionSummary, Reception, Effect, MissReason } from './messages.js'
export { applyBitErrors, applyBursts, checkFaults, isObstructed, type FaultConfig, type Obstruction } from './faults.js'
export type { CaptureOptions, RoomCapture } from './capture.js'
