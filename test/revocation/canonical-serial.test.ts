import { canonicalSerial, colonSerial } from '../../revocation/canonical-serial';

describe('canonicalSerial', () => {
  it.each([
    ['00:9E:2A', '9e2a'], ['0A', '0a'], ['a', '0a'], ['000a', '0a'], ['7f', '7f'], ['0x00FF', 'ff'],
    ['  9e 2a  ', '9e2a'], ['9e-2a', '9e2a'], ['0X9E2A', '9e2a'], ['00', '00'], ['0', '00'], ['0000', '00'],
    ['00:80', '80'], ['1:02:3', '1023'] /* separators are dropped, never used to pad groups */,
  ])('%s -> %s', (raw, want) => {
    expect(canonicalSerial(raw)).toBe(want);
  });

  it.each(['', '   ', '0x', 'xyz', '9e2g', '9e.2a', '9e_2a', '::', 'serial=9e'])('rejects %j', (raw) => {
    expect(canonicalSerial(raw)).toBeUndefined();
  });

  it('is idempotent and its output is canonical', () => {
    for (const s of ['00:9e:2a:af', 'FFFF', '0x1', '00']) {
      const c = canonicalSerial(s)!;
      expect(canonicalSerial(c)).toBe(c);
    }
    expect(canonicalSerial('9E2A')).not.toBe('9E2A');
  });

  it('colonSerial gives the CloudFront spelling that canonicalises back', () => {
    expect(colonSerial('9e2a')).toBe('00:9e:2a');
    expect(colonSerial('7f01')).toBe('7f:01');
    for (const c of ['9e2a', '7f01', '0a', '00']) expect(canonicalSerial(colonSerial(c))).toBe(c);
  });
});
