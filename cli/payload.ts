import type { Command } from 'commander';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import { isIP } from 'node:net';
import * as path from 'node:path';
import { UserError } from '../diagnostics/user-error';
import { buildConnectionObject, CONNECTION_DEFAULTS } from '../runtime/payload';
import type { ConnectionObjectOptions } from '../runtime/payload';
import { checkOcspOutcome, type OcspOutcome, type OcspStatus } from '../runtime/ocsp-outcome';
import type { CommandModule } from './command-module';

interface PayloadFlags { clientIp?: string; connectionId?: string; endpoint?: string; distributionId?: string; out?: string }
/** The chain and OCSP flags (declared apart: interfaces merge). */
interface PayloadFlags { chain?: string; ocsp?: string; ocspErrorType?: string; ocspIntermediates?: string }

/**
 * A certificate outside its validity period only reaches a connection function when the trust store sets
 * IgnoreCertificateExpiry; otherwise CloudFront refuses it in the handshake. The payload is still useful (to test
 * that very setting), so this is a warning, not an error.
 */
function validityWarning(bytes: Buffer, file: string, now = new Date()): string | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(bytes);
  } catch {
    return undefined; // buildConnectionObject reports an unreadable certificate with its own message
  }
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  const note = 'CloudFront refuses it in the TLS handshake unless the trust store sets IgnoreCertificateExpiry, so no connection function sees it';
  if (now > notAfter) return `certificate ${file} expired on ${notAfter.toISOString()}; ${note}`;
  if (now < notBefore) return `certificate ${file} is not valid before ${notBefore.toISOString()}; ${note}`;
  return undefined;
}

function checkOutFile(file: string): void {
  const abs = path.resolve(file);
  if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) throw new UserError(`--out ${file}`, 'is a folder', 'pass a file path, e.g. --out payload.json');
  const parent = path.dirname(abs);
  if (!fs.existsSync(parent) || !fs.statSync(parent).isDirectory()) throw new UserError(`--out ${file}`, `folder ${parent} does not exist`, 'create the folder first or pass another path');
}

/** `conngate payload <cert>`: the connection object CloudFront would pass for a client certificate. */
export const payloadCommand: CommandModule = {
  register(program: Command): void {
    program
      .command('payload')
      .description('build the connection object a connection function receives for a client certificate (PEM or DER); warns when the certificate is expired or not yet valid')
      .argument('<certificate>', 'client certificate file, PEM or DER')
      .option('--client-ip <ip>', 'clientIp of the connection, an IPv4 or IPv6 address', CONNECTION_DEFAULTS.clientIp)
      .option('--connection-id <id>', 'connectionId (default: derived from the certificate fingerprint)')
      .option('--endpoint <domain>', 'endpoint (distribution domain)', CONNECTION_DEFAULTS.endpoint)
      .option('--distribution-id <id>', 'distributionId', CONNECTION_DEFAULTS.distributionId)
      .option('--out <file>', 'write the JSON to this file instead of stdout')
      .option('--chain <file>', 'PEM bundle of intermediates (leaf\'s issuer first): fills clientCertificate.certificates.intermediates')
      .option('--ocsp <status>', 'OCSP outcome of the leaf (Good|Revoked|Unknown|Error), as a trust store with OCSP checking reports it')
      .option('--ocsp-error-type <type>', 'with --ocsp Error: "InternalError" (default) or "OCSP response verification failed: <Type>"')
      .option('--ocsp-intermediates <statuses>', 'comma-separated OCSP status per intermediate (default: Good each)')
      .addHelpText('after', '\nExamples:\n  conngate payload client.pem\n  conngate payload client.der --client-ip 2001:db8::7 --out case.json\n  conngate payload client.pem --chain intermediates.pem --ocsp Revoked --out revoked.json')
      .action((certificate: string, flags: PayloadFlags) => {
        if (flags.clientIp !== undefined && isIP(flags.clientIp) === 0) {
          throw new UserError('--client-ip', `"${flags.clientIp}" is not an IPv4 or IPv6 address`, 'pass e.g. --client-ip 203.0.113.42 or --client-ip 2001:db8::1');
        }
        if (flags.out) checkOutFile(flags.out);
        let bytes: Buffer;
        try {
          bytes = fs.readFileSync(certificate);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          throw new UserError(certificate, code === 'EISDIR' ? 'is a folder, not a certificate file' : code === 'ENOENT' ? 'file not found' : 'cannot be read',
            'pass the path of a PEM or DER certificate file');
        }
        const obj = buildConnectionObject(bytes, {
          clientIp: flags.clientIp, connectionId: flags.connectionId, endpoint: flags.endpoint,
          distributionId: flags.distributionId, source: certificate,
          ...payloadChainAndOcsp(flags),
        });
        const warning = validityWarning(bytes, certificate);
        if (warning) process.stderr.write(`conngate payload: warning: ${warning}\n`);
        const json = `${JSON.stringify(obj, null, 2)}\n`;
        if (flags.out) {
          fs.writeFileSync(flags.out, json);
          process.stderr.write(`connection object written to ${flags.out}\n`);
        } else process.stdout.write(json);
      });
  },
};

/** The --chain and --ocsp* flags as buildConnectionObject options; bad values are UserErrors naming the flag. */
function payloadChainAndOcsp(flags: PayloadFlags): Pick<ConnectionObjectOptions, 'chain' | 'ocsp'> {
  const out: Pick<ConnectionObjectOptions, 'chain' | 'ocsp'> = {};
  if (flags.chain !== undefined) {
    try {
      out.chain = fs.readFileSync(flags.chain);
    } catch {
      throw new UserError(`--chain ${flags.chain}`, 'cannot be read', 'pass a PEM file of the intermediate certificates');
    }
  }
  if (flags.ocsp === undefined) {
    if (flags.ocspErrorType !== undefined || flags.ocspIntermediates !== undefined) {
      throw new UserError('--ocsp-error-type/--ocsp-intermediates', 'given without --ocsp', 'add --ocsp <status> for the leaf');
    }
    return out;
  }
  const outcome: OcspOutcome = {
    leaf: flags.ocsp as OcspStatus,
    ...(flags.ocspErrorType !== undefined ? { errorType: flags.ocspErrorType } : {}),
    ...(flags.ocspIntermediates !== undefined ? { intermediates: flags.ocspIntermediates.split(',').map((x) => x.trim() as OcspStatus) } : {}),
  };
  checkOcspOutcome(outcome, '--ocsp');
  out.ocsp = outcome;
  return out;
}
