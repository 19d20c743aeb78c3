import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { commonConfig, type Target } from './clients';

// Only `conngate doctor` needs these two SDKs; they live apart from clients.ts so other commands never load them.

/** An STS client for the target (the emulator's STS subset under `<endpoint>/sts`): who the credentials are. */
export function createStsClient(t: Target): STSClient {
  return new STSClient({ ...commonConfig(t), ...(t.endpoint ? { endpoint: `${t.endpoint}/sts` } : {}) });
}

/** An IAM client (the policy simulator); IAM is global, so it always signs for us-east-1. */
export function createIamClient(t: Target, endpoint?: string): IAMClient {
  return new IAMClient({ ...commonConfig(t), region: 'us-east-1', ...(endpoint ? { endpoint } : {}) });
}
