import type { Command } from 'commander';
import * as fs from 'node:fs';
import { UserError } from '../../diagnostics/user-error';
import { buildConnectionObject, CONNECTION_DEFAULTS } from '../../runtime/payload';
import type { ConnectionObjectOptions } from '../../runtime/payload';
import { checkOcspOutcome, type OcspOutcome, type OcspStatus } from '../../runtime/ocsp-outcome';
import type { CommandModule } from './index';

interface PayloadFlags { clientIp?: string; connectionId?: string; endpoint?: string; distributionId?: string; out?: string }
/** The chain and OCSP flags (declared apart: interfaces merge). */
interface PayloadFlags { chain?: string; ocsp?: string; ocspErrorType?: string; ocspIntermediates?: string }

/** `conngate payload <cert>`: the connection object CloudFront would pass for a client certificate. */
export const payloadCommand: CommandModule = {
  register(program: Command): void {
    program
      .command('payload')
      .description('Build the connection object a connection function receives for a client certificate (PEM or DER).')
      .argument('<certificate>', 'client certificate file, PEM or DER')
      .option('--client-ip <ip>', 'clientIp of the connection', CONNECTION_DEFAULTS.clientIp)
      .option('--connection-id <id>', 'connectionId (default: derived from the certificate fingerprint)')
      .option('--endpoint <domain>', 'endpoint (distribution domain)', CONNECTION_DEFAULTS.endpoint)
      .option('--distribution-id <id>', 'distributionId', CONNECTION_DEFAULTS.distributionId)
      .option('--out <file>', 'write the JSON to this file instead of stdout')
      .option('--chain <file>', 'PEM bundle of intermediates (leaf\'s issuer first): fills clientCertificate.certificates.intermediates')
      .option('--ocsp <status>', 'OCSP outcome of the leaf (Good|Revoked|Unknown|Error), as a trust store with OCSP checking reports it')
      .option('--ocsp-error-type <type>', 'with --ocsp Error: "InternalError" (default) or "OCSP response verification failed: <Type>"')
      .option('--ocsp-intermediates <statuses>', 'comma-separated OCSP status per intermediate (default: Good each)')
      .addHelpText('after', '\nExample:\n  conngate payload client.pem --chain intermediates.pem --ocsp Revoked --out revoked.json')
      .action((certificate: string, flags: PayloadFlags) => {
        let bytes: Buffer;
        try {
          bytes = fs.readFileSync(certificate);
        } catch {
          throw new UserError(certificate, 'cannot be read', 'pass the path of a PEM or DER certificate file');
        }
        const obj = buildConnectionObject(bytes, {
          clientIp: flags.clientIp, connectionId: flags.connectionId, endpoint: flags.endpoint,
          distributionId: flags.distributionId, source: certificate,
          ...payloadChainAndOcsp(flags),
        });
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
