"""Synchronous invocation through stock boto3, as a user writes it."""
import base64
import json
import os

import boto3

client = boto3.client("lambda", endpoint_url=os.environ["SLUICE_ENDPOINT"])


def invoke(name, event):
    out = client.invoke(FunctionName=name, Payload=json.dumps(event).encode(), LogType="Tail")
    assert out["StatusCode"] == 200, out
    assert "START RequestId:" in base64.b64decode(out["LogResult"]).decode()
    return out, json.loads(out["Payload"].read())


_, node = invoke("c-node", {"name": "boto3"})
_, py = invoke("c-python", {"name": "boto3"})
_, custom = invoke("c-custom", {"n": 2})
err, body = invoke("arn:aws:lambda:us-east-1:111111111111:function:c-node-err", {"error_msg": "x"})
assert body["errorType"] == "Error", body
try:
    client.invoke(FunctionName="c-nope", Payload=b"{}")
    missing = None
except client.exceptions.ResourceNotFoundException as e:
    missing = e.response["Error"]["Code"]

print(json.dumps({"node": node["greeting"], "python": py["greeting"], "custom": custom["echo"], "error": err["FunctionError"], "missing": missing}))
