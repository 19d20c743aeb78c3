import { CloudFrontClient, ListDistributionsByConnectionFunctionCommand } from '@aws-sdk/client-cloudfront';

/** What `deploy` / `verify` found about a distribution conngate does not manage. */
export interface ExternalDistributionReport {
  /** Whether the named distribution runs the stage's function (undefined when the stage names none). */
  associated?: boolean;
  /** The distributions that do run it, by id. */
  distributionIds: string[];
  /** One line for the run's output: the finding and, when not associated, the exact change to make. */
  line: string;
}

/** Pages through ListDistributionsByConnectionFunction (bounded: CloudFront lists at most 100 per page). */
async function distributionsUsing(cf: CloudFrontClient, functionId: string): Promise<string[]> {
  const ids: string[] = [];
  let marker: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const out = await cf.send(new ListDistributionsByConnectionFunctionCommand({ ConnectionFunctionIdentifier: functionId, Marker: marker, MaxItems: 100 }));
    for (const d of out.DistributionList?.Items ?? []) ids.push(d.Id!);
    marker = out.DistributionList?.IsTruncated ? out.DistributionList.NextMarker : undefined;
    if (!marker) break;
  }
  return ids;
}

/**
 * For a stage whose distribution someone else manages: asks CloudFront which distributions run the stage's
 * function and says whether the named one is among them, with the change its owner must make when it is not.
 */
export async function checkExternalDistribution(cf: CloudFrontClient, stage: string, functionId: string, distributionId: string | undefined): Promise<ExternalDistributionReport> {
  const ids = await distributionsUsing(cf, functionId);
  const using = ids.length > 0 ? ids.join(', ') : 'none';
  if (distributionId === undefined) {
    return { distributionIds: ids, line: `distribution: managed elsewhere (stage config "distribution": "none"); distributions running ${stage}'s function: ${using}` };
  }
  if (ids.includes(distributionId)) {
    return { associated: true, distributionIds: ids, line: `distribution ${distributionId}: associated with ${stage}'s function (managed elsewhere)` };
  }
  return {
    associated: false, distributionIds: ids,
    line: `distribution ${distributionId}: NOT associated with ${stage}'s function, so its viewers are not checked by it; `
      + `change to make on ${distributionId}: set its connection function association to ${functionId} `
      + `(Terraform: connection_function_association { id = "${functionId}" } in its aws_cloudfront_distribution; `
      + `API: UpdateDistribution with DistributionConfig.ConnectionFunctionAssociation.Id = "${functionId}"). Distributions running it now: ${using}`,
  };
}
