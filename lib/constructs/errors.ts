import type { IConstruct } from 'constructs';

/**
 * A declaration that cannot work (unknown topic, bad schema, impossible limits).
 * Thrown while the app is built, so `cdk synth` stops before anything is deployed.
 * The message starts with the construct path, shows the bad value and says how to fix it.
 */
export class EventFlowDeclarationError extends Error {
  override readonly name = 'EventFlowDeclarationError';
  readonly constructPath: string;

  constructor(scope: IConstruct, message: string, options?: { cause?: unknown }) {
    super(`${scope.node.path}: ${message}`, options);
    this.constructPath = scope.node.path;
  }
}
