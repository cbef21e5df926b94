/*! @irdakit/emulator: An emulated IR medium: rooms of stations with real timing, faults and pcap capture. */
export {}
