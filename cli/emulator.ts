import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../diagnostics/user-error';
import { startEmulator } from '../emulator';
import { localEdgeCa, userServerCertificate } from '../edge/edge-ca';
import { startEdge, type RunningEdge } from '../edge/edge-server';
import { exposureWarning } from '../emulator/listen-exposure';
import { hostOfHeader } from '../emulator/request-guard';
import type { FaultConfig } from '../emulator';
import type { CommandModule } from './command-module';
import { makeFolder } from '../host/make-folder';

interface EmulatorFlags {
  port: string;
  host: string;
  state?: string;
  accountId: string;
  latencyMs?: string;
  throttleRate?: string;
  errorRate?: string;
  conflictRate?: string;
  failLiveTestRate?: string;
  seed?: string;
  provisioningMs?: string;
  allowNonLoopback?: boolean;
  allowHost: string[];
  edgePort?: string;
  connectionLogs?: string;
  edgeCert?: string;
  edgeKey?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function allowedHosts(raw: string[]): string[] {
  return raw.map((h) => {
    const host = hostOfHeader(h);
    if (host === undefined || h.includes(':') && !h.startsWith('[')) {
      throw new UserError('emulator --allow-host', `"${h}" is not a host name`,
        'pass the bare name clients use to reach the emulator, without scheme or port, e.g. --allow-host emulator.internal');
    }
    return host;
  });
}

function number(flag: string, raw: string | undefined, min: number, max: number, integer = false): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UserError(`emulator ${flag}`, `"${raw}" is not ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`,
      `pass e.g. ${flag} ${integer ? min : max / 10}`);
  }
  return n;
}

async function runEmulator(flags: EmulatorFlags): Promise<void> {
  const faults: FaultConfig = {
    latencyMs: number('--latency-ms', flags.latencyMs, 0, 600000, true),
    throttleRate: number('--throttle-rate', flags.throttleRate, 0, 1),
    serverErrorRate: number('--error-rate', flags.errorRate, 0, 1),
    concurrentWriteRate: number('--conflict-rate', flags.conflictRate, 0, 1),
    failLiveTestRate: number('--fail-live-test-rate', flags.failLiveTestRate, 0, 1),
    seed: number('--seed', flags.seed, 0, 2 ** 32 - 1, true),
  };
  const port = number('--port', flags.port, 0, 65535, true)!;
  const stateFile = flags.state ? path.resolve(flags.state) : undefined;
  // conngate's own state folder (.conngate/, which every other command makes as needed) is made here too, so the
  // documented `--state .conngate/emulator.json` works in a new project; any other missing folder stays an error
  // (a typo in a path should not create folders).
  if (stateFile && path.basename(path.dirname(stateFile)) === '.conngate' && fs.existsSync(path.dirname(path.dirname(stateFile)))) {
    makeFolder(path.dirname(stateFile));
  }
  if (flags.edgePort === undefined) {
    for (const [flag, v] of [['--connection-logs', flags.connectionLogs], ['--edge-cert', flags.edgeCert], ['--edge-key', flags.edgeKey]] as const) {
      if (v !== undefined) throw new UserError(`emulator ${flag}`, 'only applies to the local edge', 'add --edge-port <port> (0 = any free port) to start it');
    }
  }
  if ((flags.edgeCert === undefined) !== (flags.edgeKey === undefined)) {
    throw new UserError(`emulator ${flags.edgeCert === undefined ? '--edge-key' : '--edge-cert'}`, 'needs its pair',
      'pass both --edge-cert <pem> and --edge-key <pem>, or neither (the edge then uses its own local CA)');
  }
  const edgePort = number('--edge-port', flags.edgePort, 0, 65535, true);
  // The edge's CA and its connection logs live with the emulator's state (next to --state, else in .conngate/).
  const edgeHome = stateFile ? path.dirname(stateFile) : path.resolve('.conngate');
  const logDir = flags.connectionLogs ? path.resolve(flags.connectionLogs) : path.join(edgeHome, 'connection-logs');
  // The user's certificate is read before anything is made: a bad pair changes nothing.
  const userCertificates = edgePort !== undefined && flags.edgeCert
    ? userServerCertificate(path.resolve(flags.edgeCert), path.resolve(flags.edgeKey!)) : undefined;
  // The log folder next: a folder that cannot be made stops the command before anything else is made.
  if (edgePort !== undefined) {
    try {
      makeFolder(logDir);
    } catch (e) {
      throw new UserError(`emulator --connection-logs ${logDir}`, `cannot be made (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'pass a folder you can write to');
    }
  }
  const certificates = edgePort === undefined ? undefined : userCertificates ?? await localEdgeCa(path.join(edgeHome, 'edge-ca'));
  const emulator = await startEmulator({
    port, host: flags.host, stateFile, faults, accountId: flags.accountId,
    allowNonLoopback: flags.allowNonLoopback ?? false, allowedHosts: allowedHosts(flags.allowHost),
    timings: { kvsProvisioningMs: number('--provisioning-ms', flags.provisioningMs, 0, 600000, true) ?? 0 },
  });
  let edge: RunningEdge | undefined;
  if (edgePort !== undefined) {
    try {
      edge = await startEdge({ readState: emulator.readState, certificates: certificates!, connectionLogDir: logDir, port: edgePort,
        host: flags.host, allowNonLoopback: flags.allowNonLoopback ?? false });
    } catch (err) {
      await emulator.close();
      throw err;
    }
  }
  const closeAll = async (graceMs?: number) => {
    await edge?.close();
    await emulator.close(graceMs);
  };
  // The first Ctrl-C / SIGTERM stops gracefully (requests in progress get 2 s, the state file is given up); a
  // second one, or 5 s without the first finishing, ends at once. The state is saved after every change, so
  // there is nothing else to flush. The handlers are in place before the banner says the emulator is up, so a
  // signal sent as soon as it is announced still stops it gracefully.
  let stopping = false;
  let stopped = () => undefined as void;
  const done = new Promise<void>((resolve) => { stopped = resolve; });
  const stop = () => {
    if (stopping) {
      process.stderr.write('conngate emulator: stopping at once\n');
      closeAll().then(stopped, stopped);
      return;
    }
    stopping = true;
    process.stderr.write(`conngate emulator: stopping after ${emulator.requestCount()} request(s)\n`);
    setTimeout(() => { void closeAll(); stopped(); }, 5000).unref();
    closeAll(2000).then(stopped, stopped);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (emulator.exposed) process.stderr.write(`conngate emulator: ${exposureWarning(flags.host, emulator.port)}\n`);
  const active = Object.entries(faults).filter(([k, v]) => v !== undefined && k !== 'seed' && v !== 0);
  process.stderr.write(`conngate emulator: CloudFront emulator listening on ${emulator.endpoint}\n`
    + `  state: ${stateFile ?? 'in memory (lost on exit; pass --state file.json to keep it)'}\n`
    + `  faults: ${active.length ? active.map(([k, v]) => `${k}=${v}`).join(' ') : 'none'}\n`
    + '  accepts any AWS credentials; signatures are not verified\n'
    + `  serves requests addressed to: 127.0.0.1, localhost, [::1]${flags.allowHost.length ? `, ${flags.allowHost.join(', ')}` : ''}`
    + ' (web pages on other sites are refused)\n'
    + `  use it with: export CONNGATE_ENDPOINT=${emulator.endpoint}   (Ctrl-C stops it)\n`
    + (edge ? `conngate emulator: local edge listening on ${edge.host}:${edge.port} (TLS; SNI picks the distribution by its *.cloudfront.net name or an alias)\n`
      + `  edge server CA: ${edge.caFile ?? `none (serving ${flags.edgeCert})`}\n`
      + `  connection logs: ${edge.connectionLogDir}${path.sep}<distribution id>.jsonl\n`
      + `  try: curl --cacert ${edge.caFile ?? '<your CA>'} --cert client.pem --key client-key.pem --resolve <d123.cloudfront.net>:${edge.port}:127.0.0.1 https://<d123.cloudfront.net>:${edge.port}/\n` : ''));
  try {
    await done;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

export const emulatorCommand: CommandModule = {
  register(program: Command) {
    program
      .command('emulator')
      .description('Run the local CloudFront emulator (control plane + KeyValueStore data plane) for the AWS SDK clients; '
        + 'point conngate at it with --endpoint or CONNGATE_ENDPOINT.')
      .option('--port <port>', 'TCP port to listen on (0 = any free port)', '4566')
      .option('--host <host>', 'interface to listen on; anything but loopback needs --allow-non-loopback', '127.0.0.1')
      .option('--allow-non-loopback', 'allow --host to be a non-loopback address such as 0.0.0.0 (exposes the emulator, '
        + 'which runs submitted code and checks no credentials, to everyone who can reach the port)')
      .option('--allow-host <name>', 'also serve requests whose Host header is this name (repeatable), e.g. a container '
        + 'name; loopback names are always served', collect, [] as string[])
      .option('--state <file>', 'keep the state in this JSON file (loaded at start, saved atomically after every change; one emulator per file)')
      .option('--account-id <id>', 'the 12-digit account id in the ARNs the emulator hands out', '123456789012')
      .option('--latency-ms <ms>', 'fault: add this many milliseconds to every request')
      .option('--throttle-rate <0-1>', 'fault: share of requests answered with a throttling error (the SDK retries them)')
      .option('--error-rate <0-1>', 'fault: share of requests answered with a 5xx error')
      .option('--conflict-rate <0-1>', 'fault: share of conditional writes that meet a concurrent write (stale ETag)')
      .option('--fail-live-test-rate <0-1>', 'fault: share of LIVE-stage TestConnectionFunction calls that report a function error (exercises LIVE verification and rollback)')
      .option('--seed <n>', 'seed of the fault sequence, so a run can be repeated exactly', '1')
      .option('--provisioning-ms <ms>', 'how long a new key value store stays PROVISIONING', '0')
      .option('--edge-port <port>', 'also start the local mTLS edge on this port (0 = any free port): every distribution over real TLS, '
        + 'client certificates checked against its trust store, its LIVE connection function deciding')
      .option('--connection-logs <dir>', 'where the edge writes CloudFront connection logs (JSON lines; default: connection-logs/ next to --state, else .conngate/connection-logs)')
      .option('--edge-cert <pem>', 'the edge\'s server certificate chain (PEM) instead of one from its local CA; with --edge-key')
      .option('--edge-key <pem>', 'the private key of --edge-cert (PEM)')
      .addHelpText('after', '\nExamples:\n'
        + '  conngate emulator --state .conngate/emulator.json\n'
        + '  conngate emulator --state .conngate/emulator.json --edge-port 8443   # and the local mTLS edge\n'
        + '  conngate emulator --host 0.0.0.0 --allow-non-loopback --allow-host emulator   # reachable as http://emulator:4566 from containers\n')
      .action((flags: EmulatorFlags) => runEmulator(flags));
  },
};
