import { functionArn, parseFunctionRef } from '../../domain/arn.js';
import type { Scope } from '../../domain/scope.js';
import { validateTags } from '../../domain/tags.js';
import {
  InvalidParameterValueException, ResourceNotFoundException, ValidationException,
} from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { empty, json, type Route } from '../types.js';
import { optStringMap } from '../wire/input.js';

const TAGS = '/2017-03-31/tags/{Resource}';

const FUNCTION_ARN_RE = /^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d{1}):(\d{12}):function:([a-zA-Z0-9-_]+)(?::([a-zA-Z0-9-_$]+))?$/;
const ANY_ARN_RE = /^arn:[a-zA-Z0-9-]+:[a-zA-Z0-9-]+:[^:]*:[^:]*:.+$/;
const TAGGABLE_PATTERN =
  'arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';

/**
 * `{Resource}` to the caller's function name. Tags live on the (unqualified) function; another
 * account's function is refused as IAM refuses it, without revealing whether it exists.
 */
function taggedFunction(raw: string, scope: Scope): string {
  const m = FUNCTION_ARN_RE.exec(raw);
  if (!m) {
    if (raw.length <= 256 && ANY_ARN_RE.test(raw)) {
      throw new InvalidParameterValueException(`${raw} is not a function ARN. This Sluice server supports tags on Lambda functions only.`);
    }
    throw new ValidationException(`1 validation error detected: Value '${raw}' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: ${TAGGABLE_PATTERN}`);
  }
  // Region and account checks as for any function ARN; another account's is an authorization failure.
  const ref = parseFunctionRef(raw, scope, 'resource');
  if (ref.qualifier !== undefined) {
    throw new InvalidParameterValueException('Tags on function aliases and versions are not supported. Please specify a function ARN.');
  }
  return ref.name;
}

const functionNotFound = (scope: Scope, name: string) => new ResourceNotFoundException(`Function not found: ${functionArn(scope, name)}`);

export function tagRoutes(ctx: ApiContext): Route[] {
  const { repos } = ctx;
  return [
    {
      method: 'POST', path: TAGS, operation: 'TagResource',
      handler: (req) => {
        const tags = optStringMap(req.json(), 'Tags');
        if (tags === undefined) throw new ValidationException("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
        const name = taggedFunction(req.params.Resource!, req.scope);
        if (Object.keys(tags).length === 0) throw new InvalidParameterValueException('An error occurred and the request cannot be processed.');
        repos.transaction(() => {
          const meta = repos.functions.get(req.scope, name);
          if (!meta) throw functionNotFound(req.scope, name);
          validateTags(tags, meta.tags);
          repos.functions.put(req.scope, name, { ...meta, tags: { ...meta.tags, ...tags } });
        });
        return empty(204);
      },
    },
    {
      method: 'DELETE', path: TAGS, operation: 'UntagResource',
      handler: (req) => {
        const keys = req.query.getAll('tagKeys');
        if (keys.length === 0) throw new ValidationException("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
        const name = taggedFunction(req.params.Resource!, req.scope);
        repos.transaction(() => {
          const meta = repos.functions.get(req.scope, name);
          if (!meta) throw functionNotFound(req.scope, name);
          const tags = { ...meta.tags };
          for (const k of keys) delete tags[k];
          repos.functions.put(req.scope, name, { ...meta, tags });
        });
        return empty(204);
      },
    },
    {
      method: 'GET', path: TAGS, operation: 'ListTags',
      handler: (req) => {
        const name = taggedFunction(req.params.Resource!, req.scope);
        const meta = repos.functions.get(req.scope, name);
        if (!meta) throw functionNotFound(req.scope, name);
        return json(200, { Tags: { ...meta.tags } });
      },
    },
  ];
}
