import { Lazy, type CfnResource } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import type { Construct } from 'constructs';

/**
 * Lambda code whose asset is made later, once the whole flow is known: a function is
 * declared before its flow's other subscriptions, but all handlers are bundled together.
 * The S3 location resolves lazily to the asset attached by the flow when it bundles.
 */
export class BundledCode extends lambda.Code {
  readonly isInline = false;
  private asset?: s3assets.Asset;
  private resource?: CfnResource;

  constructor(private readonly describeOwner: string) {
    super();
  }

  override bind(_scope: Construct): lambda.CodeConfig {
    return {
      s3Location: {
        bucketName: Lazy.string({ produce: () => this.requireAsset().s3BucketName }),
        objectKey: Lazy.string({ produce: () => this.requireAsset().s3ObjectKey }),
      },
    };
  }

  override bindToResource(resource: CfnResource): void {
    this.resource = resource;
  }

  /** Called by the flow once the bundle exists. */
  attach(asset: s3assets.Asset): void {
    this.asset = asset;
    // Lets tools (SAM, the local engine) find the bundle folder from the function resource.
    if (this.resource) asset.addResourceMetadata(this.resource, 'Code');
  }

  private requireAsset(): s3assets.Asset {
    if (!this.asset) {
      throw new Error(`${this.describeOwner}: the function's bundle was not built; the flow bundles its handlers when the app is synthesized (app.synth())`);
    }
    return this.asset;
  }
}
