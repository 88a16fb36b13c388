import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorSummary, invocationRecord } from './invocation-record.js';

const scope = { account: '123456789012', region: 'us-east-1' };

test('a failure record has the shape and key order of §8.7', () => {
  const r = invocationRecord({
    requestId: 'req-1', scope, functionName: 'f', qualifier: undefined, condition: 'RetriesExhausted', approximateInvokeCount: 3,
    requestPayload: Buffer.from('{"a":1}'),
    response: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled', payload: Buffer.from('{"errorType":"Error","errorMessage":"boom"}') },
    timestamp: Date.UTC(2024, 0, 1),
  });
  assert.equal(JSON.stringify(r), JSON.stringify({
    version: '1.0', timestamp: '2024-01-01T00:00:00.000Z',
    requestContext: { requestId: 'req-1', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    requestPayload: { a: 1 },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'Error', errorMessage: 'boom' },
  }));
});

test('success records carry no functionError; the ARN keeps the qualifier invoked; non-JSON payloads are strings', () => {
  const r = invocationRecord({
    requestId: 'r', scope, functionName: 'f', qualifier: 'live', condition: 'Success', approximateInvokeCount: 1,
    requestPayload: Buffer.from('{}'), response: { statusCode: 200, executedVersion: '4', payload: Buffer.from('plain text') }, timestamp: 0,
  }) as any;
  assert.equal(r.requestContext.functionArn, 'arn:aws:lambda:us-east-1:123456789012:function:f:live');
  assert.deepEqual(r.responseContext, { statusCode: 200, executedVersion: '4' });
  assert.equal(r.responsePayload, 'plain text');
  const empty = invocationRecord({
    requestId: 'r', scope, functionName: 'f', qualifier: '$LATEST', condition: 'Success', approximateInvokeCount: 1,
    requestPayload: Buffer.from('{}'), response: { statusCode: 200, payload: Buffer.alloc(0) }, timestamp: 0,
  }) as any;
  assert.equal(empty.responsePayload, null);
});

test('errorSummary: type and message of an error document', () => {
  assert.equal(errorSummary('Error', Buffer.from('{"errorType":"Error","errorMessage":"boom"}')), 'Error: boom');
  assert.equal(errorSummary('Sandbox.Timedout', Buffer.from('not json')), 'Sandbox.Timedout');
  assert.equal(errorSummary('X', undefined), 'X');
});
