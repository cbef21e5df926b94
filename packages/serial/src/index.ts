/*! @irdakit/serial: IrDA over serial ports: SIR framing on the serialport package, dongle drivers and emulators. */
export {}
