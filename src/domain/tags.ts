import { InvalidParameterValueException } from '../errors/index.js';

/** AWS tag rules: ≤50 tags, keys 1..128 and not `aws:`-prefixed, values ≤256. */
export function validateTags(tags: Record<string, string>, existing: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(tags)) {
    if (k.length < 1 || k.length > 128) throw new InvalidParameterValueException(`Tag key must be between 1 and 128 characters: ${k}`);
    if (k.toLowerCase().startsWith('aws:')) throw new InvalidParameterValueException(`Tag keys that start with "aws:" are reserved: ${k}`);
    if (typeof v !== 'string' || v.length > 256) throw new InvalidParameterValueException(`Tag value must be at most 256 characters: ${k}`);
  }
  const total = new Set([...Object.keys(existing), ...Object.keys(tags)]).size;
  if (total > 50) throw new InvalidParameterValueException(`Number of tags exceeds resource tag limit. A resource can have at most 50 tags.`);
}
