import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidEventPattern, parseEventPattern } from './event-pattern.js';

/**
 * Pattern / event / expected-match cases taken from the EventBridge user guide ("Event patterns", "Comparison
 * operators for use in event patterns", "Content filtering", "Arrays in event patterns", "Null values and empty
 * strings"), plus the edge cases those pages state in prose.
 */

// The user guide's sample EC2 state-change event, used by most of its examples.
const EC2 = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

const ec2 = (detail: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...EC2, ...extra, detail });

interface Case {
  name: string;
  pattern: unknown;
  event: unknown;
  match: boolean;
}

const CASES: Case[] = [
  // Basic structure: all fields AND, values in an array OR.
  { name: 'source and detail-type', pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] }, event: EC2, match: true },
  { name: 'one field differs', pattern: { source: ['aws.ec2'], 'detail-type': ['Other'] }, event: EC2, match: false },
  { name: 'any value of the array', pattern: { detail: { state: ['running', 'terminated'] } }, event: EC2, match: true },
  { name: 'nested field absent', pattern: { detail: { other: ['x'] } }, event: EC2, match: false },
  { name: 'values are case sensitive', pattern: { source: ['AWS.EC2'] }, event: EC2, match: false },
  // Arrays in events: any element matches.
  {
    name: 'event array contains the value',
    pattern: { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'] },
    event: EC2, match: true,
  },
  { name: 'event array lacks the value', pattern: { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] }, event: EC2, match: false },
  // Null values and empty strings.
  { name: 'null matches null', pattern: { detail: { responseElements: [null] } }, event: ec2({ responseElements: null }), match: true },
  { name: 'null does not match an absent field', pattern: { detail: { responseElements: [null] } }, event: ec2({}), match: false },
  { name: 'null does not match empty string', pattern: { detail: { eventVersion: [null] } }, event: ec2({ eventVersion: '' }), match: false },
  { name: 'empty string matches empty string', pattern: { detail: { eventVersion: [''] } }, event: ec2({ eventVersion: '' }), match: true },
  // Numbers compare as numbers; strings and numbers never equal each other.
  { name: 'number equals number', pattern: { detail: { count: [5] } }, event: ec2({ count: 5.0 }), match: true },
  { name: 'number does not equal its string', pattern: { detail: { count: [5] } }, event: ec2({ count: '5' }), match: false },
  { name: 'string does not equal a number', pattern: { detail: { count: ['5'] } }, event: ec2({ count: 5 }), match: false },
  { name: 'boolean', pattern: { detail: { ok: [true] } }, event: ec2({ ok: true }), match: true },
  { name: 'boolean false vs true', pattern: { detail: { ok: [false] } }, event: ec2({ ok: true }), match: false },
  // Prefix.
  { name: 'prefix', pattern: { time: [{ prefix: '2017-12-22' }] }, event: EC2, match: true },
  { name: 'prefix miss', pattern: { time: [{ prefix: '2017-10-02' }] }, event: EC2, match: false },
  { name: 'prefix ignoring case', pattern: { 'detail-type': [{ prefix: { 'equals-ignore-case': 'ec2 instance' } }] }, event: EC2, match: true },
  { name: 'prefix is case sensitive', pattern: { 'detail-type': [{ prefix: 'ec2 instance' }] }, event: EC2, match: false },
  // Suffix.
  { name: 'suffix', pattern: { detail: { FileName: [{ suffix: '.png' }] } }, event: ec2({ FileName: 'image.png' }), match: true },
  { name: 'suffix miss', pattern: { detail: { FileName: [{ suffix: '.png' }] } }, event: ec2({ FileName: 'image.PNG' }), match: false },
  { name: 'suffix ignoring case', pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, event: ec2({ FileName: 'image.PNG' }), match: true },
  { name: 'suffix never matches a number', pattern: { detail: { n: [{ suffix: '5' }] } }, event: ec2({ n: 5 }), match: false },
  // Equals-ignore-case.
  { name: 'equals-ignore-case', pattern: { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, event: EC2, match: true },
  { name: 'equals-ignore-case miss', pattern: { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance' }] }, event: EC2, match: false },
  // Anything-but.
  { name: 'anything-but string', pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } }, event: EC2, match: true },
  { name: 'anything-but string excluded', pattern: { detail: { state: [{ 'anything-but': 'terminated' }] } }, event: EC2, match: false },
  { name: 'anything-but number', pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, event: ec2({ 'x-limit': 456 }), match: true },
  { name: 'anything-but number excluded', pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, event: ec2({ 'x-limit': 123 }), match: false },
  { name: 'anything-but list', pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, event: ec2({ state: 'running' }), match: true },
  { name: 'anything-but list excluded', pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, event: ec2({ state: 'stopped' }), match: false },
  { name: 'anything-but needs the field', pattern: { detail: { state: [{ 'anything-but': 'x' }] } }, event: ec2({}), match: false },
  { name: 'anything-but prefix', pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, event: ec2({ state: 'running' }), match: true },
  { name: 'anything-but prefix excluded', pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, event: ec2({ state: 'initializing' }), match: false },
  { name: 'anything-but suffix', pattern: { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } }, event: ec2({ FileName: 'a.png' }), match: true },
  { name: 'anything-but suffix excluded', pattern: { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } }, event: ec2({ FileName: 'a.txt' }), match: false },
  { name: 'anything-but equals-ignore-case', pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } }, event: ec2({ state: 'STOPPED' }), match: false },
  { name: 'anything-but equals-ignore-case passes', pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped'] } }] } }, event: ec2({ state: 'running' }), match: true },
  { name: 'anything-but wildcard', pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, event: ec2({ FilePath: '/usr/lib/x' }), match: false },
  { name: 'anything-but wildcard passes', pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, event: ec2({ FilePath: '/usr/bin/x' }), match: true },
  { name: 'anything-but string vs number value', pattern: { detail: { n: [{ 'anything-but': '5' }] } }, event: ec2({ n: 5 }), match: true },
  // Numeric.
  {
    name: 'numeric ranges (user guide example)',
    pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] } },
    event: ec2({ 'c-count': 5, 'd-count': 7, 'x-limit': 301.8 }), match: true,
  },
  { name: 'numeric lower bound exclusive', pattern: { detail: { c: [{ numeric: ['>', 0, '<=', 5] }] } }, event: ec2({ c: 0 }), match: false },
  { name: 'numeric upper bound inclusive', pattern: { detail: { c: [{ numeric: ['>', 0, '<=', 5] }] } }, event: ec2({ c: 5 }), match: true },
  { name: 'numeric upper exceeded', pattern: { detail: { c: [{ numeric: ['>', 0, '<=', 5] }] } }, event: ec2({ c: 5.5 }), match: false },
  { name: 'numeric >=', pattern: { detail: { c: [{ numeric: ['>=', 10] }] } }, event: ec2({ c: 10 }), match: true },
  { name: 'numeric never matches a string', pattern: { detail: { c: [{ numeric: ['>', 0] }] } }, event: ec2({ c: '5' }), match: false },
  { name: 'numeric negative', pattern: { detail: { c: [{ numeric: ['<', 0] }] } }, event: ec2({ c: -1e3 }), match: true },
  // Exists.
  { name: 'exists true', pattern: { detail: { state: [{ exists: true }] } }, event: EC2, match: true },
  { name: 'exists true, absent', pattern: { detail: { state: [{ exists: true }] } }, event: ec2({}), match: false },
  { name: 'exists false, absent', pattern: { detail: { state: [{ exists: false }] } }, event: ec2({}), match: true },
  { name: 'exists false, present', pattern: { detail: { state: [{ exists: false }] } }, event: EC2, match: false },
  { name: 'exists false when the parent is absent', pattern: { detail: { a: { b: [{ exists: false }] } } }, event: ec2({}), match: true },
  { name: 'exists works on leaves only (object value)', pattern: { detail: { state: [{ exists: true }] } }, event: ec2({ state: { code: 1 } }), match: false },
  { name: 'exists false on an object value', pattern: { detail: { state: [{ exists: false }] } }, event: ec2({ state: { code: 1 } }), match: true },
  { name: 'exists true on null', pattern: { detail: { v: [{ exists: true }] } }, event: ec2({ v: null }), match: true },
  { name: 'exists false on empty array', pattern: { detail: { v: [{ exists: false }] } }, event: ec2({ v: [] }), match: true },
  // Wildcard.
  { name: 'wildcard', pattern: { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } }, event: ec2({ EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/orders' }), match: true },
  { name: 'wildcard miss', pattern: { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } }, event: ec2({ EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/orders' }), match: false },
  { name: 'wildcard middle', pattern: { detail: { Path: [{ wildcard: 'dir/*.png' }] } }, event: ec2({ Path: 'dir/a/b.png' }), match: true },
  { name: 'wildcard escaped star', pattern: { detail: { Path: [{ wildcard: 'a\\*b' }] } }, event: ec2({ Path: 'a*b' }), match: true },
  { name: 'wildcard escaped star is literal', pattern: { detail: { Path: [{ wildcard: 'a\\*b' }] } }, event: ec2({ Path: 'axxb' }), match: false },
  // CIDR.
  { name: 'cidr IPv4', pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, event: ec2({ sourceIPAddress: '10.0.0.255' }), match: true },
  { name: 'cidr IPv4 outside', pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, event: ec2({ sourceIPAddress: '10.0.1.0' }), match: false },
  { name: 'cidr IPv6', pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } }, event: ec2({ sourceIPAddress: '2001:db8:1::5' }), match: true },
  { name: 'cidr IPv6 outside', pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } }, event: ec2({ sourceIPAddress: '2001:db9::5' }), match: false },
  { name: 'cidr not an address', pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, event: ec2({ sourceIPAddress: 'host' }), match: false },
  // $or.
  {
    name: '$or (user guide example): second branch',
    pattern: { detail: { $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }, { 'x-limit': [{ numeric: ['=', 3.018e2] }] }] } },
    event: ec2({ 'c-count': 9, 'd-count': 3 }), match: true,
  },
  {
    name: '$or: no branch',
    pattern: { detail: { $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }] } },
    event: ec2({ 'c-count': 9, 'd-count': 30 }), match: false,
  },
  {
    name: '$or at the top level, with other fields',
    pattern: { source: ['aws.ec2'], $or: [{ 'detail-type': ['x'] }, { detail: { state: ['terminated'] } }] },
    event: EC2, match: true,
  },
  // Several matchers for one field (OR), mixed kinds.
  { name: 'prefix or exact', pattern: { detail: { state: [{ prefix: 'run' }, 'terminated'] } }, event: EC2, match: true },
  // Arrays of objects: a sub-pattern must match within one element.
  {
    name: 'array of objects, same element',
    pattern: { detail: { items: { k: ['a'], v: [1] } } },
    event: ec2({ items: [{ k: 'a', v: 1 }, { k: 'b', v: 2 }] }), match: true,
  },
  {
    name: 'array of objects, fields from different elements',
    pattern: { detail: { items: { k: ['a'], v: [2] } } },
    event: ec2({ items: [{ k: 'a', v: 1 }, { k: 'b', v: 2 }] }), match: false,
  },
  { name: 'nested arrays of scalars', pattern: { detail: { tags: ['x'] } }, event: ec2({ tags: [['y'], ['x']] }), match: true },
  // A pattern field naming an object compares against its leaves only.
  { name: 'value pattern vs object field', pattern: { detail: ['x'] }, event: EC2, match: false },
];

for (const c of CASES) {
  test(`pattern: ${c.name}`, () => {
    const p = parseEventPattern(JSON.stringify(c.pattern));
    assert.equal(p.matches(c.event), c.match);
  });
}

const INVALID: [string, string, RegExp][] = [
  ['not JSON', '{"source": [', /^Event pattern is not valid\. Reason: /],
  ['not an object', '["aws.ec2"]', /Reason: Filter is not an object$/],
  ['empty object', '{"source": ["aws.health"], "detail": {}}', /Empty objects are not allowed/],
  ['scalar value', '{"detail": {"pipeline": {"slug": "some-pipeline"}}}', /"slug" must be an object or an array/],
  ['empty array', '{"source": []}', /Empty arrays are not allowed/],
  ['unknown match type', '{"source": [{"prefixx": "a"}]}', /Unrecognized match type prefixx/],
  ['suffix list', '{"x": [{"suffix": [":created"]}]}', /suffix match pattern must be a string/],
  ['exists string', '{"x": [{"exists": "true"}]}', /exists match pattern must be either true or false\./],
  ['numeric not array', '{"x": [{"numeric": 5}]}', /Value of numeric must be an array\./],
  ['numeric non-number', '{"x": [{"numeric": [">", "5"]}]}', /Value of > must be numeric/],
  ['numeric bad range', '{"x": [{"numeric": [">", 5, "<", 1]}]}', /Bottom must be less than top/],
  ['numeric bad operator', '{"x": [{"numeric": ["!=", 5]}]}', /Unrecognized numeric range operator/],
  ['two keys in a matcher', '{"x": [{"prefix": "a", "suffix": "b"}]}', /Only one key allowed in match expression/],
  ['wildcard consecutive stars', '{"x": [{"wildcard": "a**b"}]}', /Consecutive wildcard characters/],
  ['bad cidr', '{"x": [{"cidr": "10.0.0.0/33"}]}', /Nonstandard IP address/],
  ['$or with one branch', '{"$or": [{"a": ["b"]}]}', /at least 2 Objects in \$or/],
  ['$or not an array', '{"$or": {"a": ["b"]}}', /must be an array/],
  ['anything-but mixed list', '{"x": [{"anything-but": ["a", 1]}]}', /anything but list/],
  ['anything-but null', '{"x": [{"anything-but": null}]}', /Value of anything-but must be an array or single string\/number value\./],
  ['array in a match list', '{"x": [["a"]]}', /Match value must be/],
];

for (const [name, text, message] of INVALID) {
  test(`invalid pattern: ${name}`, () => {
    assert.throws(() => parseEventPattern(text), (err: unknown) => {
      assert.ok(err instanceof InvalidEventPattern);
      assert.match(err.awsMessage, message);
      assert.match(err.awsMessage, /^Event pattern is not valid\. Reason: /);
      return true;
    });
  });
}
