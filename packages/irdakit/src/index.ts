/*!
 * irdakit: the package to install first. Every @irdakit package's public API, each as a
 * namespace (`import { lap, stack } from 'irdakit'`), and the names most programs start with at
 * the top level (DESIGN.md's public names). The packages stay installable one by one.
 */
export * as capture from '@irdakit/capture'
export * as cli from '@irdakit/cli'
export * as conformance from '@irdakit/conformance'
export * as core from '@irdakit/core'
export * as emulator from '@irdakit/emulator'
export * as ircomm from '@irdakit/ircomm'
export * as irsock from '@irdakit/irsock'
export * as lap from '@irdakit/lap'
export * as lmp from '@irdakit/lmp'
export * as obex from '@irdakit/obex'
export * as phy from '@irdakit/phy'
export * as serial from '@irdakit/serial'
export * as stack from '@irdakit/stack'
export * as ttp from '@irdakit/ttp'
export * as usb from '@irdakit/usb'
export * as viewer from '@irdakit/viewer'

export { fcs16, fcs32, sirWrap, SirUnwrapper } from '@irdakit/phy'
export { Room, serveRoom, connectRoom, type RoomOptions } from '@irdakit/emulator'
export { IrdaStack, type IrdaStackOptions } from '@irdakit/stack'
export { createIrSock, createServer, connect } from '@irdakit/irsock'
export { openSerialPort, dongleProfiles, type OpenSerialPortOptions } from '@irdakit/serial'
export { writePcap, PcapWriter, readPcap, decodeFrame } from '@irdakit/capture'
export { RealClock, VirtualClock, runVirtual, type Clock, type Port } from '@irdakit/core'
