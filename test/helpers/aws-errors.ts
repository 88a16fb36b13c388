import assert from 'node:assert/strict';

/** Asserts that an SDK call fails with this AWS error type, HTTP status and message (exact, or a pattern). */
export async function rejectsWith(p: Promise<unknown>, name: string, status: number, message: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: any) => {
    assert.equal(e.name, name);
    assert.equal(e.$metadata?.httpStatusCode, status);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}
