/*! @irdakit/stack: one host's IrDA stack: IrLAP, IrLMP with IAS, and TinyTP over a Port, on the port's clock. */
export { IrdaStack, type IrdaStackOptions, type DiscoverOptions, type TtpConnectOptions, type TtpListenOptions, type LmpConnectOptions, type LmpListenOptions, type FrameListener, type ConnectionlessListener, type StackStats, type StackCounters, type DiscoveryResult } from './stack.js'
export { TtpSocket, TtpServer, type TtpSocketEvents, type TtpServerEvents } from './ttp-socket.js'
export { LmpSocket, LmpServer, LMP_RX_HIGH_WATER, type LmpSocketEvents, type LmpServerEvents } from './lmp-socket.js'
export { ConnectionError, IasQueryError, StackClosedError } from './errors.js'
export type { DeviceInfo, IasValue } from '@irdakit/lmp'
/** Thrown by connects and IAS queries while the link is up with another device, or held in exclusive mode. */
export { LmLinkBusyError } from '@irdakit/lmp'
/** Thrown by connects and IAS queries given a device address no station can have (0, 0xFFFFFFFF, not a 32-bit integer). */
export { InvalidDeviceAddressError } from '@irdakit/lmp'
