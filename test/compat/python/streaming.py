"""InvokeWithResponseStream through boto3 (botocore's own event-stream parser), and a streamed function URL.

Run by test/compat/streaming.compat.ts with SLUICE_ENDPOINT, AWS_* credentials, FN (a function from the url-stream
fixture) and STREAM_URL (its RESPONSE_STREAM function URL, public). Prints one JSON summary as the last line.
"""
import json
import os
import time
import urllib.request

import boto3
from botocore.config import Config

client = boto3.client("lambda", endpoint_url=os.environ["SLUICE_ENDPOINT"], config=Config(retries={"max_attempts": 1}))
FN = os.environ["FN"]
summary = {}


def stream(event):
    r = client.invoke_with_response_stream(FunctionName=FN, Payload=json.dumps(event))
    chunks, complete, first_at = [], None, None
    for ev in r["EventStream"]:
        if "PayloadChunk" in ev:
            first_at = first_at or time.time()
            chunks.append(ev["PayloadChunk"]["Payload"].decode())
        if "InvokeComplete" in ev:
            complete = ev["InvokeComplete"]
    return r, "".join(chunks), complete, first_at


r, text, complete, _ = stream({"action": "hello"})
assert r["StatusCode"] == 200, r
assert r["ExecutedVersion"] == "$LATEST", r
assert r["ResponseStreamContentType"] == "application/vnd.amazon.eventstream", r
assert text == "hello world", text
assert "ErrorCode" not in complete, complete
summary["hello"] = text

_, text, complete, first_at = stream({"action": "slow", "waitMs": 2000})
finished_at = int(text.strip().split("\n")[1].split(" ")[1]) / 1000
assert first_at < finished_at - 1.0, (first_at, finished_at)
summary["firstChunkBeforeEndSeconds"] = round(finished_at - first_at, 3)

_, text, complete, _ = stream({"action": "fail"})
assert text == "partial", text
assert complete["ErrorCode"] == "Error", complete
assert json.loads(complete["ErrorDetails"])["errorMessage"] == "stream broke", complete
summary["failure"] = complete["ErrorCode"]

req = urllib.request.Request(os.environ["STREAM_URL"].rstrip("/") + "/hello")
with urllib.request.urlopen(req) as resp:
    assert resp.status == 201, resp.status
    assert resp.headers["x-streamed"] == "yes"
    summary["url"] = resp.read().decode()
print(json.dumps(summary))
