import { createHash } from 'node:crypto';
import type { Scope } from '../../domain/scope.js';
import type { FunctionVersion } from '../../domain/function-model.js';
import { functionArn } from '../../domain/arn.js';
import { awsTimestamp } from '../../domain/time.js';

function runtimeVersionArn(region: string, runtime: string): string {
  return `arn:aws:lambda:${region}::runtime:${createHash('sha256').update(`sluice:${runtime}`).digest('hex')}`;
}

/**
 * The FunctionConfiguration shape. `qualifiedLatest`: AWS shows `$LATEST` in the ARN only when the caller
 * asked for it (Qualifier=$LATEST, ListVersionsByFunction); published versions are always qualified.
 */
export function functionConfiguration(v: FunctionVersion, scope: Scope, qualifiedLatest = false): Record<string, unknown> {
  const qualifier = v.version === '$LATEST' && !qualifiedLatest ? undefined : v.version;
  const out: Record<string, unknown> = {
    FunctionName: v.functionName,
    FunctionArn: functionArn(scope, v.functionName, qualifier),
    Runtime: v.runtime,
    Role: v.role,
    Handler: v.handler,
    CodeSize: v.codeSize,
    Description: v.description,
    Timeout: v.timeout,
    MemorySize: v.memorySize,
    LastModified: awsTimestamp(v.lastModified),
    CodeSha256: v.codeSha256,
    Version: v.version,
    Environment: { Variables: { ...v.environment } },
    TracingConfig: { Mode: v.tracingMode },
    RevisionId: v.revisionId,
    State: v.state,
    PackageType: 'Zip',
    Architectures: [...v.architectures],
    EphemeralStorage: { Size: v.ephemeralStorageSize },
    SnapStart: { ApplyOn: v.snapStartApplyOn, OptimizationStatus: 'Off' },
    RuntimeVersionConfig: { RuntimeVersionArn: runtimeVersionArn(scope.region, v.runtime) },
    LoggingConfig: { ...v.loggingConfig },
  };
  // A function still being created shows no LastUpdateStatus (as recorded from AWS).
  if (v.state !== 'Pending') out.LastUpdateStatus = v.lastUpdateStatus;
  if (v.vpcConfig) out.VpcConfig = { ...v.vpcConfig, VpcId: '' };
  if (v.deadLetterTargetArn) out.DeadLetterConfig = { TargetArn: v.deadLetterTargetArn };
  if (v.kmsKeyArn) out.KMSKeyArn = v.kmsKeyArn;
  if (v.layers.length > 0) out.Layers = v.layers.map((l) => ({ Arn: l.arn, CodeSize: l.codeSize }));
  if (v.stateReason) out.StateReason = v.stateReason;
  if (v.stateReasonCode) out.StateReasonCode = v.stateReasonCode;
  if (v.lastUpdateStatusReason) out.LastUpdateStatusReason = v.lastUpdateStatusReason;
  if (v.lastUpdateStatusReasonCode) out.LastUpdateStatusReasonCode = v.lastUpdateStatusReasonCode;
  return out;
}
