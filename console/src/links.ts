/** The AWS console page of a Step Functions execution, in the region its ARN names. */
export function stepFunctionsLink(arn: string): string {
  const region = arn.split(":")[3] ?? "";
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${encodeURIComponent(arn)}`;
}
