/**
 * A CRL without nextUpdate (RFC 5280 requires one) never looks stale: a mirror could serve it forever and the
 * hourly check said OK. The check now fails on it (exit 1) instead of calling its freshness "ok".
 */
import { createPrivateKey, sign } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRevocationSource } from '../../revocation/load-source';
import { checkRevocations } from '../../revocation/store-check';
import { syncRevocations } from '../../revocation/sync';
import { caSubjectDer, ext, int, OID_CRL_NUMBER, oid, seq, tlv, utcTime } from './crl-der-builder';
import { CANARY, emulatorFixture, emulatorStore } from './emulator-store';
import { makeCa } from './openssl-pki';

describe('revocations check and a CRL without nextUpdate', () => {
  const fx = emulatorFixture();

  it('fails the check, though every serial is in the store', async () => {
    const ca = makeCa(fx.dir, 'no-next-ca');
    const alg = seq(oid('2a8648ce3d040302'));
    const tbs = seq(int('01'), alg, caSubjectDer(ca), utcTime(new Date(Date.now() - 3600_000)),
      seq(seq(int('0abc'), utcTime(new Date(Date.now() - 7200_000)))), tlv(0xa0, seq(ext(OID_CRL_NUMBER, false, int('03')))));
    const signature = sign('sha256', tbs, { key: createPrivateKey(fs.readFileSync(ca.keyFile)), dsaEncoding: 'der' });
    const file = path.join(fx.dir, 'no-next.crl');
    fs.writeFileSync(file, seq(tbs, alg, tlv(0x03, Buffer.concat([Buffer.from([0]), signature]))));

    const source = await loadRevocationSource({ crlFiles: [file], caFiles: [ca.certFile] });
    const s = await emulatorStore({ emulator: fx.emu });
    await syncRevocations({ client: s.client, kvsArn: s.kvsArn, source, protectedKeys: [CANARY] });
    const report = await checkRevocations({ client: s.client, kvsArn: s.kvsArn, source, canary: CANARY, warnBeforeMs: 12 * 3600_000 });
    expect(report.missing.count).toBe(0);
    expect(report.crls).toEqual([expect.objectContaining({ freshness: 'unknown', nextUpdate: undefined })]);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.stringMatching(/no-next\.crl: the CRL has no nextUpdate, so whether it is the CA's current one cannot be told/)]);
  });
});
