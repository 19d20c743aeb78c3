import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { UserError } from '../diagnostics/user-error';
import { emptyLocalState, parseLocalState, type LocalState, type LocalStateStore } from './local-state';

/**
 * The stand-in's state kept where the stage's S3 backend says (bucket and key of conngate.config.json's
 * `backend`), so that a CI run in a fresh checkout finds what the previous run applied, as Terraform's S3 backend
 * would. Against the emulator this is its S3 subset. The stage lease, not Terraform's `.tflock`, keeps two runs apart.
 */
export function s3StateStore(client: S3Client, location: { bucket: string; key: string }): LocalStateStore {
  const where = `s3://${location.bucket}/${location.key}`;
  const failed = (err: unknown, doing: string): UserError => {
    const e = err as Error & { name?: string };
    if (e?.name === 'NoSuchBucket') {
      return new UserError(`backend ${where}`, 'the state bucket does not exist',
        `create it first (aws s3api create-bucket --bucket ${location.bucket}), or change backend.bucket in conngate.config.json`, 1);
    }
    return new UserError(`backend ${where}`, `could not ${doing} the state (${e?.name ?? 'Error'}: ${String(e?.message ?? err).split('\n')[0]})`,
      'check the bucket and the credentials (conngate doctor <stage>); a re-run resumes from the stored state', 1);
  };
  return {
    where,
    async read(stage: string): Promise<LocalState> {
      let text: string;
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
        text = await out.Body!.transformToString('utf8');
      } catch (err) {
        if ((err as Error)?.name === 'NoSuchKey') return emptyLocalState(stage);
        throw failed(err, 'read');
      }
      return parseLocalState(text, where, stage);
    },
    async write(state: LocalState): Promise<void> {
      try {
        await client.send(new PutObjectCommand({
          Bucket: location.bucket, Key: location.key, Body: `${JSON.stringify(state, null, 2)}\n`, ContentType: 'application/json',
        }));
      } catch (err) {
        throw failed(err, 'write');
      }
    },
  };
}
