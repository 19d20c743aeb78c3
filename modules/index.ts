/** conngate's CDKTF constructs: the revocation store, the connection function and the viewer-mTLS distribution. */
export * from './revocation-store';
export * from './connection-function';
export * from './connection-function-code';
export * from './connection-function-validation';
export * from './viewer-trust-store';
export * from './ca-bundle-rotation';
export * from './passthrough-conditions';
export * from './mtls-distribution';
export * from './bindings';
