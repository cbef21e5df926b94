/*! @irdakit/irsock: IrSock: the Winsock af_irda API as Windows CE documents it, plus Node-style streams. */
export * from './winsock.js'
export * from './af_irda.js'
export { createIrSock, connectFailure, connectionLost, TINYTP_LSAPSEL_ATTRIBUTE, IRLMP_LSAPSEL_ATTRIBUTE, IRDA_MAX_BACKLOG, MAX_SOCKETS, type IrSock, type IrSockOptions, type IrSockSocketStats, type IntRef, type WsaData } from './irsock.js'
export { encodeCookedFrame, decodeCookedFrame, IRCOMM_CLEN_SIZE } from './ircomm.js'
export * from './net.js'
