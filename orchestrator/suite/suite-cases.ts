import * as fs from 'node:fs';
import { caseConnection, loadSuite, type Suite } from '../../runtime/suite';
import type { RemoteCase } from './remote-suite';
import type { StageSpec } from '../stage/stage-spec';
import { StepError } from '../stage/step-error';

/** A stage's suite as the remote pipeline runs it: the cases CloudFront can test, and the LIVE smoke subset. */
export interface LoadedCases {
  suiteSha256: string;
  cases: RemoteCase[];
  smoke: RemoteCase[];
  /** Cases that only run locally (simulated store failures, local-only store contents). */
  localOnly: number;
  /** The suite as read once for the run: its properties drive the fuzz step, and `suiteSha256` names these bytes. */
  suite: Suite;
}

export function loadRemoteCases(spec: StageSpec): LoadedCases {
  if (!fs.existsSync(spec.suiteFile)) {
    throw new StepError(spec.suiteFile, `no case suite for ${spec.functionFile}`,
      'write one next to the function (<name>.suite.json, see functions/suite.schema.json) or set suiteFile in conngate.config.json', 2);
  }
  const suite = loadSuite(spec.suiteFile);
  const remote = suite.cases.filter((c) => c.remote);
  if (remote.length === 0) {
    throw new StepError(spec.suiteFile, 'the suite has no case that can run remotely (every case is remote: false)',
      'add cases that need no local-only store contents, e.g. an allowed certificate and the canary serial denied', 2);
  }
  const toRemote = (c: (typeof remote)[number]): RemoteCase => ({
    name: c.name, expect: c.expect, connection: caseConnection(c, { canarySerial: spec.canarySerial }),
  });
  const cases = remote.map(toRemote);
  return {
    suiteSha256: suite.sha256,
    cases,
    smoke: remote.filter((c) => c.smoke).map(toRemote),
    localOnly: suite.cases.length - remote.length,
    suite,
  };
}
