import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { commonConfig, TARGET_ONLY, type Target } from './clients';

// Only `conngate doctor` needs these two SDKs; they live apart from clients.ts so other commands never load them.
// Like the CloudFront clients, they go where the target says, never to an endpoint from AWS_ENDPOINT_URL or a profile:
// doctor must check the credentials of the account the stage deploys to.

/** An STS client for the target (the emulator's STS subset under `<endpoint>/sts`): who the credentials are. */
export function createStsClient(t: Target): STSClient {
  return new STSClient({ ...commonConfig(t), ...(t.endpoint ? { endpoint: `${t.endpoint}/sts` } : {}), ...TARGET_ONLY });
}

/** An IAM client (the policy simulator); IAM is global, so it always signs for us-east-1. */
export function createIamClient(t: Target, endpoint?: string): IAMClient {
  return new IAMClient({ ...commonConfig(t), region: 'us-east-1', ...(endpoint ? { endpoint } : {}), ...TARGET_ONLY });
}
