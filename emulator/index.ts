/** The local CloudFront emulator: control plane (REST-XML) and KeyValueStore data plane (REST-JSON) over HTTP. */
export { startEmulator, type EmulatorOptions, type RunningEmulator } from './server';
export type { FaultConfig } from './faults';
export type { StatusTimings } from './handler-context';
