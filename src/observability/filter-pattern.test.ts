import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FilterPatternError, parseFilterPattern } from './filter-pattern.js';

const LINES = {
  e400: '[ERROR 400] BAD REQUEST',
  e419: '[ERROR 419] MISSING ARGUMENTS',
  exit: 'Exiting with ERRORCODE: -1',
  warn: 'WARN disk almost full',
  info: 'INFO all good',
  jsonErr: '{"level":"ERROR","message":"boom","latency":250,"user":{"id":"u-1","tags":["a","b"]},"ok":false,"gone":null}',
  jsonInfo: '{"level":"INFO","message":"fine","latency":20,"user":{"id":"u-2"},"ok":true}',
  access: '127.0.0.1 frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 2326',
  access2: '10.0.0.5 bob [10/Oct/2000:13:26:00 -0700] "POST /form HTTP/1.0" 200 512',
};
type Name = keyof typeof LINES;
const ALL = Object.keys(LINES) as Name[];

/** pattern → the lines it matches (all others must not match). */
const CASES: [string, Name[]][] = [
  ['', ALL],
  ['""', ALL],
  ['ERROR', ['e400', 'e419', 'exit', 'jsonErr']],
  ['ERROR ARGUMENTS', ['e419']],
  ['?WARN ?INFO', ['warn', 'info', 'jsonInfo']],
  ['ERROR -Exiting', ['e400', 'e419', 'jsonErr']],
  ['-ERROR', ['warn', 'info', 'jsonInfo', 'access', 'access2']],
  ['"BAD REQUEST"', ['e400']],
  ['"BAD  REQUEST"', []],
  ['ERROR -"BAD REQUEST" -level', ['e419', 'exit']],
  ['error', []],
  ['%ERROR 4[0-9]{2}%', ['e400', 'e419']],
  ['%^WARN%', ['warn']],
  ['{ $.level = "ERROR" }', ['jsonErr']],
  ['{ $.level = ERROR }', ['jsonErr']],
  ['{ $.level != "ERROR" }', ['jsonInfo']],
  ['{ $.level = "ERR*" }', ['jsonErr']],
  ['{ $.level = "error" }', []],
  ['{ $.latency > 100 }', ['jsonErr']],
  ['{ $.latency <= 20 }', ['jsonInfo']],
  ['{ $.latency = 250 }', ['jsonErr']],
  ['{ $.user.id = "u-2" }', ['jsonInfo']],
  ['{ $.user.tags[1] = "b" }', ['jsonErr']],
  ['{ $.ok IS TRUE }', ['jsonInfo']],
  ['{ $.ok IS FALSE }', ['jsonErr']],
  ['{ $.gone IS NULL }', ['jsonErr']],
  ['{ $.gone NOT EXISTS }', ['jsonInfo']],
  ['{ $.level = "INFO" || $.latency > 200 }', ['jsonErr', 'jsonInfo']],
  ['{ $.level = "ERROR" && $.latency < 100 }', []],
  ['{ ($.level = "INFO" || $.level = "ERROR") && $.user.id = "u-1" }', ['jsonErr']],
  ['[ip, user, timestamp, request, status_code = 404, bytes]', ['access']],
  ['[ip, user, timestamp, request, status_code = 4*, bytes]', ['access']],
  ['[ip, user, timestamp, request, status_code, bytes > 1000]', ['access']],
  ['[ip = 10.*, ...]', ['access2']],
  ['[..., status_code != 404, bytes]', ['access2']],
];

for (const [pattern, expected] of CASES) {
  test(`filter pattern ${JSON.stringify(pattern)}`, () => {
    const match = parseFilterPattern(pattern);
    const got = ALL.filter((n) => match(LINES[n]));
    assert.deepEqual(got, expected);
  });
}

const INVALID = ['{ $.level = "x"', '{ level = "x" }', '{ $.latency > abc }', '"unterminated', '%a(b)%', '[a, b', '{ $.x IS MAYBE }', '{ $.a = 1 } trailing'];
for (const pattern of INVALID) {
  test(`invalid filter pattern ${JSON.stringify(pattern)} is rejected`, () => {
    assert.throws(() => parseFilterPattern(pattern), FilterPatternError);
  });
}
