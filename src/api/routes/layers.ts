import { layerArn, parseLayerName, parseLayerVersionArn } from '../../domain/arn.js';
import { layerVersionKey, type LayerVersionRecord } from '../../domain/function-model.js';
import { layerPermissionStatement, policyDocument } from '../../domain/policy.js';
import type { Scope } from '../../domain/scope.js';
import {
  PreconditionFailedException, ResourceNotFoundException, ValidationException,
} from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { empty, json, type Route } from '../types.js';
import { layerVersionListItem, layerVersionOutput } from '../wire/layer-version.js';
import {
  decodeMarker, encodeMarker, optObject, optString, optStringList, pageQuery, reqString,
} from '../wire/input.js';
import { acceptCode } from '../services/code-upload.js';
import { signedCodeLocation } from '../services/code-location.js';
import {
  checkCompatibility, checkLayerReadable, validationErrors, layerNotFound, matchesFilter, parseCompatibilityFilter, parseVersionNumber,
  publishLayerVersion, readableLayer, requireOwnLayerVersion, type LayerRef,
} from '../services/layer-versions.js';
import { STATEMENT_ID_RULE, withStatement, withoutStatement } from '../services/resource-policy.js';

/** Same bound as CreateFunction: a 50 MB archive, base64-encoded, inside JSON. */
const CODE_BODY_LIMIT = 70_167_211;
const LAYERS = '/2018-10-31/layers';
const VERSION = `${LAYERS}/{LayerName}/versions/{VersionNumber}`;
const MAX_LAYER_PAGE = 50;

const LAYER_VERSION_ARN_PATTERN = 'arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+';
const LAYER_PRINCIPAL_RE = /^(\d{12}|\*|arn:(aws[a-zA-Z-]*):iam::\d{12}:root)$/;
const ORGANIZATION_ID_RE = /^o-[a-z0-9]{10,32}$/;

export function layerRoutes(ctx: ApiContext): Route[] {
  const { repos } = ctx;

  const output = (lv: LayerVersionRecord, owner: Scope, baseUrl: string) =>
    layerVersionOutput(lv, owner, signedCodeLocation(ctx, baseUrl, owner, lv.codeKey));

  /** Shared by GetLayerVersion and GetLayerVersionByArn. */
  const readVersion = (scope: Scope, ref: LayerRef, version: number): LayerVersionRecord => {
    checkLayerReadable(repos, scope, ref, version);
    const lv = repos.layerVersions.get(ref.owner, layerVersionKey(ref.name, version));
    if (!lv) throw layerNotFound();
    return lv;
  };

  return [
    {
      method: 'POST', path: `${LAYERS}/{LayerName}/versions`, operation: 'PublishLayerVersion', maxBodyBytes: CODE_BODY_LIMIT,
      handler: async (req) => {
        const name = parseLayerName(req.params.LayerName!, req.scope);
        const body = req.json();
        const content = optObject(body, 'Content');
        if (!content) throw new ValidationException("1 validation error detected: Value null at 'content' failed to satisfy constraint: Member must not be null");
        const description = optString(body, 'Description', { max: 256 }) ?? '';
        const licenseInfo = optString(body, 'LicenseInfo', { max: 512 });
        const compatibleRuntimes = optStringList(body, 'CompatibleRuntimes');
        const compatibleArchitectures = optStringList(body, 'CompatibleArchitectures');
        checkCompatibility(compatibleRuntimes, compatibleArchitectures);
        const code = await acceptCode(content, ctx.code, ctx.config.localCodePaths, ctx.sandboxIsolated);
        const lv = publishLayerVersion(ctx, req.scope, name, {
          description, compatibleRuntimes, compatibleArchitectures, licenseInfo, code,
        });
        return json(201, output(lv, req.scope, req.baseUrl));
      },
    },
    {
      method: 'GET', path: `${LAYERS}/{LayerName}/versions`, operation: 'ListLayerVersions',
      handler: (req) => {
        const filter = parseCompatibilityFilter(req.query);
        const name = parseLayerName(req.params.LayerName!, req.scope);
        const { marker, maxItems } = layerPage(req.query);
        const before = decodeMarker(marker);
        // Newest first: keys sort ascending by zero-padded version, so walk them backwards.
        const all = repos.layerVersions.list(req.scope, { prefix: `${name}/` }).reverse();
        const matching = all.filter((e) => (before === undefined || e.key < before) && matchesFilter(e.doc, filter));
        const page = matching.slice(0, maxItems);
        const out: Record<string, unknown> = { LayerVersions: page.map((e) => layerVersionListItem(e.doc, req.scope)) };
        if (matching.length > maxItems) out.NextMarker = encodeMarker(page[page.length - 1]!.key);
        return json(200, out);
      },
    },
    {
      method: 'GET', path: VERSION, operation: 'GetLayerVersion',
      handler: (req) => {
        const version = parseVersionNumber(req.params.VersionNumber!, true);
        const ref = readableLayer(req.params.LayerName!, req.scope);
        return json(200, output(readVersion(req.scope, ref, version), ref.owner, req.baseUrl));
      },
    },
    {
      method: 'GET', path: LAYERS, query: { find: 'LayerVersion' }, operation: 'GetLayerVersionByArn',
      handler: (req) => {
        const arn = req.query.get('Arn');
        if (arn === null) throw new ValidationException("1 validation error detected: Value null at 'arn' failed to satisfy constraint: Member must not be null");
        const parsed = parseLayerVersionArn(arn);
        if (!parsed) {
          throw new ValidationException(`1 validation error detected: Value '${arn}' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${LAYER_VERSION_ARN_PATTERN}`);
        }
        if (parsed.region !== req.scope.region) {
          throw new ResourceNotFoundException(`Layers from '${parsed.region}' are not reachable in this region ('${req.scope.region}')`);
        }
        const ref: LayerRef = { owner: { account: parsed.account, region: parsed.region }, name: parsed.name };
        return json(200, output(readVersion(req.scope, ref, parsed.version), ref.owner, req.baseUrl));
      },
    },
    {
      method: 'GET', path: LAYERS, operation: 'ListLayers',
      handler: (req) => {
        const filter = parseCompatibilityFilter(req.query);
        const { marker, maxItems } = layerPage(req.query);
        const layers: Record<string, unknown>[] = [];
        let next: string | undefined;
        for (const layer of repos.layers.list(req.scope, { after: decodeMarker(marker) })) {
          const name = layer.key;
          const latest = repos.layerVersions.list(req.scope, { prefix: `${name}/` }).reverse().find((e) => matchesFilter(e.doc, filter));
          if (!latest) continue; // every version deleted, or none compatible
          if (layers.length === maxItems) {
            next = encodeMarker(String(layers[layers.length - 1]!.LayerName));
            break;
          }
          layers.push({ LayerName: name, LayerArn: layerArn(req.scope, name), LatestMatchingVersion: layerVersionListItem(latest.doc, req.scope) });
        }
        return json(200, next ? { Layers: layers, NextMarker: next } : { Layers: layers });
      },
    },
    {
      // Idempotent: deleting a version that does not exist (any more) succeeds. Its number is never reused.
      method: 'DELETE', path: VERSION, operation: 'DeleteLayerVersion',
      handler: (req) => {
        const version = parseVersionNumber(req.params.VersionNumber!, true);
        const name = parseLayerName(req.params.LayerName!, req.scope);
        repos.transaction(() => {
          repos.layerVersions.delete(req.scope, layerVersionKey(name, version));
          repos.layerPolicies.delete(req.scope, layerVersionKey(name, version));
        });
        return empty(204);
      },
    },
    {
      method: 'POST', path: `${VERSION}/policy`, operation: 'AddLayerVersionPermission',
      handler: (req) => {
        const name = parseLayerName(req.params.LayerName!, req.scope);
        const version = parseVersionNumber(req.params.VersionNumber!);
        const body = req.json();
        const sid = reqString(body, 'StatementId', STATEMENT_ID_RULE);
        const action = reqString(body, 'Action');
        if (action !== 'lambda:GetLayerVersion') {
          const errors = [`Value '${action}' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: lambda:GetLayerVersion`];
          if (action.length > 22) errors.unshift(`Value '${action}' at 'action' failed to satisfy constraint: Member must have length less than or equal to 22`);
          throw validationErrors(errors)!;
        }
        const principal = reqString(body, 'Principal', { pattern: LAYER_PRINCIPAL_RE, patternText: '\\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root' });
        const organizationId = optString(body, 'OrganizationId', { max: 34, pattern: ORGANIZATION_ID_RE, patternText: 'o-[a-z0-9]{10,32}' });
        const revisionId = req.query.get('RevisionId') ?? undefined;
        const result = repos.transaction(() => {
          const lv = requireOwnLayerVersion(repos, req.scope, name, version);
          const key = layerVersionKey(name, version);
          const existing = repos.layerPolicies.get(req.scope, key);
          const stmt = layerPermissionStatement({
            sid, action, principal, resource: layerArn(req.scope, lv.layerName, lv.version), organizationId,
          });
          const next = withStatement(existing, stmt);
          checkLayerRevision(revisionId, existing?.revisionId);
          repos.layerPolicies.put(req.scope, key, next);
          return { stmt, revisionId: next.revisionId };
        });
        return json(201, { Statement: JSON.stringify(result.stmt), RevisionId: result.revisionId });
      },
    },
    {
      method: 'GET', path: `${VERSION}/policy`, operation: 'GetLayerVersionPolicy',
      handler: (req) => {
        const name = parseLayerName(req.params.LayerName!, req.scope);
        const version = parseVersionNumber(req.params.VersionNumber!);
        requireOwnLayerVersion(repos, req.scope, name, version);
        const policy = repos.layerPolicies.get(req.scope, layerVersionKey(name, version));
        if (!policy || policy.statements.length === 0) throw new ResourceNotFoundException('No policy is associated with the given resource.');
        return json(200, { Policy: JSON.stringify(policyDocument(policy.statements)), RevisionId: policy.revisionId });
      },
    },
    {
      method: 'DELETE', path: `${VERSION}/policy/{StatementId}`, operation: 'RemoveLayerVersionPermission',
      handler: (req) => {
        const name = parseLayerName(req.params.LayerName!, req.scope);
        const version = parseVersionNumber(req.params.VersionNumber!);
        const sid = reqString({ StatementId: req.params.StatementId }, 'StatementId', STATEMENT_ID_RULE);
        const revisionId = req.query.get('RevisionId') ?? undefined;
        repos.transaction(() => {
          requireOwnLayerVersion(repos, req.scope, name, version);
          const key = layerVersionKey(name, version);
          const existing = repos.layerPolicies.get(req.scope, key);
          checkLayerRevision(revisionId, existing?.revisionId);
          const next = withoutStatement(existing, sid);
          if (next) repos.layerPolicies.put(req.scope, key, next);
          else repos.layerPolicies.delete(req.scope, key);
        });
        return empty(204);
      },
    },
  ];
}

/** Layer listings take at most 50 items per page. */
function layerPage(query: URLSearchParams): { marker: string | undefined; maxItems: number } {
  const page = pageQuery(query, MAX_LAYER_PAGE);
  const raw = query.get('MaxItems');
  if (raw !== null && Number(raw) > MAX_LAYER_PAGE) {
    throw new ValidationException(`1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to ${MAX_LAYER_PAGE}`);
  }
  return page;
}

function checkLayerRevision(given: string | undefined, current: string | undefined): void {
  if (given !== undefined && given !== current) {
    throw new PreconditionFailedException('The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id');
  }
}
