/*! @irdakit/irsock: IrSock: the Winsock af_irda API as Windows CE documents it, plus Node-style streams. */
export * from './winsock.js'
export * from './af_irda.js'
