import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias/index.js';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key/index.js';
import { Construct } from 'constructs';

/**
 * A customer managed KMS key with yearly rotation. The key policy is AWS's default (the account
 * administers the key, IAM policies grant its use), so each role's own policy says which key it may
 * use and through which service.
 */
export class CustomerKey extends Construct {
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: { alias: string; description: string }) {
    super(scope, id);
    this.key = new KmsKey(this, 'key', {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    new KmsAlias(this, 'alias', { name: `alias/${props.alias}`, targetKeyId: this.key.keyId });
  }
}
