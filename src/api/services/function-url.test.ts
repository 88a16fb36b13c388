import { test } from 'node:test';
import assert from 'node:assert/strict';
import { functionUrl, newUrlId, parseFunctionUrlHost, parseFunctionUrlPath } from './function-url.js';

test('newUrlId draws 32 lowercase alphanumerics', () => {
  const ids = new Set(Array.from({ length: 200 }, () => newUrlId()));
  assert.equal(ids.size, 200);
  for (const id of ids) assert.match(id, /^[a-z0-9]{32}$/);
});

test('functionUrl keeps the port the API was reached on, and omits a default one', () => {
  const id = 'a'.repeat(32);
  assert.equal(functionUrl(id, 'eu-west-1', 'http://127.0.0.1:9000'), `http://${id}.lambda-url.eu-west-1.localhost:9000/`);
  assert.equal(functionUrl(id, 'us-east-1', 'http://[::1]:8080'), `http://${id}.lambda-url.us-east-1.localhost:8080/`);
  assert.equal(functionUrl(id, 'us-east-1', 'http://sluice.internal'), `http://${id}.lambda-url.us-east-1.localhost/`);
  assert.equal(functionUrl(id, 'us-east-1', 'http://bad host'), `http://${id}.lambda-url.us-east-1.localhost/`);
});

test('parseFunctionUrlHost reads what functionUrl writes, and nothing else', () => {
  const id = newUrlId();
  const host = new URL(functionUrl(id, 'ap-southeast-2', 'http://localhost:3000')).host;
  assert.deepEqual(parseFunctionUrlHost(host), { urlId: id, region: 'ap-southeast-2' });
  assert.deepEqual(parseFunctionUrlHost(`${id.toUpperCase()}.LAMBDA-URL.us-east-1.localhost.`), { urlId: id, region: 'us-east-1' });
  for (const h of [undefined, '', 'localhost:3000', `${id}x.lambda-url.us-east-1.localhost`, `${id}.lambda-url.us-east-1.example.com`,
    `${id.slice(1)}.lambda-url.us-east-1.localhost`]) {
    assert.equal(parseFunctionUrlHost(h), undefined, String(h));
  }
});

test('with a public base, URLs go under its host and scheme, and only that domain (or localhost) is recognised', () => {
  const id = newUrlId();
  assert.equal(functionUrl(id, 'us-east-1', 'http://127.0.0.1:9070', 'https://fn.example.com'), `https://${id}.lambda-url.us-east-1.fn.example.com/`);
  assert.equal(functionUrl(id, 'us-east-1', 'http://127.0.0.1:9070', 'http://fn.internal:8080'), `http://${id}.lambda-url.us-east-1.fn.internal:8080/`);
  assert.deepEqual(parseFunctionUrlHost(`${id}.lambda-url.us-east-1.fn.example.com`, 'https://fn.example.com'), { urlId: id, region: 'us-east-1' });
  assert.deepEqual(parseFunctionUrlHost(`${id}.lambda-url.us-east-1.localhost:9070`, 'https://fn.example.com'), { urlId: id, region: 'us-east-1' });
  assert.equal(parseFunctionUrlHost(`${id}.lambda-url.us-east-1.other.example.com`, 'https://fn.example.com'), undefined);
});

test('parseFunctionUrlPath reads /lambda-url/<url-id>/<path>', () => {
  const id = newUrlId();
  assert.deepEqual(parseFunctionUrlPath(`/lambda-url/${id}`), { urlId: id, path: '/' });
  assert.deepEqual(parseFunctionUrlPath(`/lambda-url/${id}/`), { urlId: id, path: '/' });
  assert.deepEqual(parseFunctionUrlPath(`/lambda-url/${id}/a/b%2Fc`), { urlId: id, path: '/a/b%2Fc' });
  assert.deepEqual(parseFunctionUrlPath(`/lambda-url/${id.toUpperCase()}/x`), { urlId: id, path: '/x' });
  for (const p of ['/lambda-url/', `/lambda-url/${id}x`, `/lambda-url/${id.slice(1)}/x`, `/2015-03-31/functions/${id}`]) {
    assert.equal(parseFunctionUrlPath(p), undefined, p);
  }
});
