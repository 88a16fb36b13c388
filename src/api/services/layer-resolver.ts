import type { Scope } from '../../domain/scope.js';
import { parseLayerVersionArn } from '../../domain/arn.js';
import { layerVersionKey } from '../../domain/function-model.js';
import { AccessDeniedException, InvalidParameterValueException } from '../../errors/index.js';
import type { Repositories } from '../../store/index.js';
import type { PolicyRecord } from '../../domain/function-model.js';
import { isAllowed } from '../../domain/policy.js';

export interface ResolvedLayer {
  arn: string;
  codeSize: number;
  unzippedSize: number;
  codeKey: string;
}

/** The layer version's policy must grant lambda:GetLayerVersion to the using account (conditions included). */
function grants(policy: PolicyRecord | undefined, account: string): boolean {
  return isAllowed(policy?.statements, {
    action: 'lambda:GetLayerVersion',
    principal: { kind: 'account', account, arn: `arn:aws:iam::${account}:root` },
  });
}

/** Checks a function's `Layers`: ≤5, each exists, is shared with the caller, and fits the runtime. */
export function resolveLayers(repos: Repositories, scope: Scope, arns: string[], runtime: string, architecture: string): ResolvedLayer[] {
  if (arns.length > 5) throw new InvalidParameterValueException('Cannot reference more than 5 layers.');
  const seen = new Set<string>();
  return arns.map((arn) => {
    const ref = parseLayerVersionArn(arn);
    if (!ref) {
      throw new InvalidParameterValueException(`1 validation error detected: Value '[${arn}]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+, Member must not be null]`);
    }
    const unversioned = arn.slice(0, arn.lastIndexOf(':'));
    if (seen.has(unversioned)) throw new InvalidParameterValueException(`Two different versions of the same layer are not allowed to be referenced in the same function. ${unversioned}`);
    seen.add(unversioned);
    if (ref.region !== scope.region) throw new InvalidParameterValueException(`Layers are not in the same region as the function. Layers are expected to be in region ${scope.region}.`);
    const owner = { account: ref.account, region: ref.region };
    const lv = repos.layerVersions.get(owner, layerVersionKey(ref.name, ref.version));
    if (!lv) throw new InvalidParameterValueException(`Layer version ${arn} does not exist.`);
    if (ref.account !== scope.account && !grants(repos.layerPolicies.get(owner, layerVersionKey(ref.name, ref.version)), scope.account)) {
      throw new AccessDeniedException(`User: arn:aws:iam::${scope.account}:root is not authorized to perform: lambda:GetLayerVersion on resource: ${arn}`);
    }
    if (lv.compatibleRuntimes?.length && !lv.compatibleRuntimes.includes(runtime)) {
      throw new InvalidParameterValueException(`Layer version ${arn} is not compatible with runtime ${runtime}. Compatible runtimes: [${lv.compatibleRuntimes.join(', ')}]`);
    }
    if (lv.compatibleArchitectures?.length && !lv.compatibleArchitectures.includes(architecture)) {
      throw new InvalidParameterValueException(`Layer version ${arn} is not compatible with architecture ${architecture}. Compatible architectures: [${lv.compatibleArchitectures.join(', ')}]`);
    }
    return { arn, codeSize: lv.codeSize, unzippedSize: lv.unzippedSize, codeKey: lv.codeKey };
  });
}

/** AWS counts function code and all its layers, unzipped, against one 250 MB bound. */
export function checkCombinedSize(codeUnzipped: number, layers: ResolvedLayer[], limit: number): void {
  const total = codeUnzipped + layers.reduce((n, l) => n + l.unzippedSize, 0);
  if (total > limit) {
    throw new InvalidParameterValueException(`Function code combined with layers exceeds the maximum allowed size of ${limit} bytes. The actual size is ${total} bytes.`);
  }
}
