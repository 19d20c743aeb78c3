/**
 * Loads @peculiar/x509 ready to use: it needs a Reflect metadata polyfill (through tsyringe) before it is
 * imported, and a WebCrypto provider for signature checks. Import x509 from here, never from the package.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
