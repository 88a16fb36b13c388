import { layerArn } from '../../domain/arn.js';
import type { LayerVersionRecord } from '../../domain/function-model.js';
import type { Scope } from '../../domain/scope.js';
import { awsTimestamp } from '../../domain/time.js';

/** LayerVersionsListItem: what ListLayerVersions / ListLayers (LatestMatchingVersion) show. */
export function layerVersionListItem(lv: LayerVersionRecord, owner: Scope): Record<string, unknown> {
  const out: Record<string, unknown> = {
    LayerVersionArn: layerArn(owner, lv.layerName, lv.version),
    Version: lv.version,
    Description: lv.description,
    CreatedDate: awsTimestamp(lv.createdDate),
  };
  if (lv.compatibleRuntimes !== undefined) out.CompatibleRuntimes = [...lv.compatibleRuntimes];
  if (lv.licenseInfo !== undefined) out.LicenseInfo = lv.licenseInfo;
  if (lv.compatibleArchitectures !== undefined) out.CompatibleArchitectures = [...lv.compatibleArchitectures];
  return out;
}

/** PublishLayerVersion / GetLayerVersion / GetLayerVersionByArn response. */
export function layerVersionOutput(lv: LayerVersionRecord, owner: Scope, location: string): Record<string, unknown> {
  const { LayerVersionArn, ...rest } = layerVersionListItem(lv, owner);
  return {
    Content: { Location: location, CodeSha256: lv.codeSha256, CodeSize: lv.codeSize },
    LayerArn: layerArn(owner, lv.layerName),
    LayerVersionArn,
    ...rest,
  };
}
