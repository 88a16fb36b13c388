import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createFunction } from '../invoke/helpers.js';
import { allowPublic, createUrl, urlRequest } from './helpers.js';

let t: TestServer;
before(async () => { t = await startTestServer({ functionUrlBase: 'https://fn.example.com' }); });
after(async () => { await t.close(); });

test('with functionUrlBase, FunctionUrl is under the public domain and requests for that host are served as the URL', async () => {
  await createFunction(t.lambda, 'base-echo', 'url-echo');
  const url = await createUrl(t.lambda, 'base-echo');
  await allowPublic(t.lambda, 'base-echo');
  const u = new URL(url);
  assert.equal(u.protocol, 'https:');
  assert.match(u.hostname, /^[a-z0-9]{32}\.lambda-url\.us-east-1\.fn\.example\.com$/);
  assert.equal(u.port, '');
  // As behind a TLS-terminating proxy: the public Host arrives at Sluice's own port.
  const r = await urlRequest(`${t.url}/hello?x=1`, { headers: { Host: u.hostname } });
  assert.equal(r.status, 200);
  const { event } = r.json();
  assert.equal(event.rawPath, '/hello');
  assert.equal(event.requestContext.domainName, u.hostname);
  // The path form names the public domain too.
  const id = u.hostname.split('.')[0];
  assert.equal((await urlRequest(`${t.url}/lambda-url/${id}/`)).json().event.requestContext.domainName, u.hostname);
  // Other hosts under the API are still the Lambda API.
  const api = await urlRequest(`${t.url}/2015-03-31/functions/`);
  assert.equal(api.status, 403);
  assert.equal(api.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
});
