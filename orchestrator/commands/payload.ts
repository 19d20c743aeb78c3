import type { Command } from 'commander';
import * as fs from 'node:fs';
import { UserError } from '../../diagnostics/user-error';
import { buildConnectionObject, CONNECTION_DEFAULTS } from '../../runtime/payload';
import type { CommandModule } from './index';

interface PayloadFlags { clientIp?: string; connectionId?: string; endpoint?: string; distributionId?: string; out?: string }

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
        });
        const json = `${JSON.stringify(obj, null, 2)}\n`;
        if (flags.out) {
          fs.writeFileSync(flags.out, json);
          process.stderr.write(`connection object written to ${flags.out}\n`);
        } else process.stdout.write(json);
      });
  },
};
