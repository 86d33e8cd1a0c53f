/**
 * IAM policy documents as typed data. Policies are written into the synthesized JSON as policy
 * JSON (tokens such as `${aws_sqs_queue.x.arn}` stay inside strings), which is what the security
 * checks read back; `Fn.jsonencode` would hide them behind an expression.
 */
export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
  /** Every statement gets a Sid: the allow-list and the findings refer to statements by it. */
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | { Service?: string | string[]; AWS?: string | string[]; Federated?: string };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export const policy = (...statements: PolicyStatement[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: statements,
});

export const policyJson = (document: PolicyDocument): string => JSON.stringify(document);

/** Trust policy for a role that an AWS service assumes (EKS control plane, EC2 nodes). */
export function serviceTrust(service: string, actions: string[] = ['sts:AssumeRole']): PolicyDocument {
  return policy({ Sid: 'TrustService', Effect: 'Allow', Principal: { Service: service }, Action: actions });
}

/** The statement every resource policy of ours carries: refuse requests that do not use TLS. */
export function denyInsecureTransport(service: 's3' | 'sqs', resources: string[]): PolicyStatement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: `${service}:*`,
    Resource: resources,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}
