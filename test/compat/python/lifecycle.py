"""The function lifecycle through stock boto3, run by test/compat/boto3.compat.ts.

Reads SLUICE_ENDPOINT, AWS_* credentials and ZIP_V1 / ZIP_V2 (archives made with `zip`). Asserts as it goes,
prints `step: ...` lines so a failure shows where it stopped, and prints one JSON summary as the last line.
"""
import base64
import hashlib
import json
import os
import urllib.request

import boto3
from botocore.config import Config

ENDPOINT = os.environ["SLUICE_ENDPOINT"]
ROLE = "arn:aws:iam::111111111111:role/lambda-role"
NAME = "boto-fn"
ARN = "arn:aws:lambda:us-east-1:111111111111:function:" + NAME
WAIT = {"Delay": 1, "MaxAttempts": 30}

client = boto3.client("lambda", endpoint_url=ENDPOINT, config=Config(retries={"max_attempts": 1}))
summary = {"boto3": boto3.__version__}


def step(name):
    print("step: " + name, flush=True)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def sha(data):
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def expect_error(exc_class, fn, **kwargs):
    try:
        fn(**kwargs)
    except exc_class as e:
        return e.response
    raise AssertionError("expected %s from %s" % (exc_class.__name__, fn.__name__))


v1 = read(os.environ["ZIP_V1"])
v2 = read(os.environ["ZIP_V2"])

step("create_function")
created = client.create_function(
    FunctionName=NAME, Runtime="python3.12", Handler="handler.handler", Role=ROLE,
    Code={"ZipFile": v1}, Tags={"suite": "boto3"}, Timeout=5,
)
assert created["ResponseMetadata"]["HTTPStatusCode"] == 201, created["ResponseMetadata"]
assert created["State"] == "Pending", created["State"]
assert created["FunctionArn"] == ARN
assert created["CodeSha256"] == sha(v1)
summary["createdState"] = created["State"]

step("waiter function_active_v2")
client.get_waiter("function_active_v2").wait(FunctionName=NAME, WaiterConfig=WAIT)

step("get_function + download")
got = client.get_function(FunctionName=NAME)
assert got["Configuration"]["State"] == "Active"
assert got["Tags"] == {"suite": "boto3"}, got["Tags"]
with urllib.request.urlopen(got["Code"]["Location"]) as res:
    downloaded = res.read()
assert downloaded == v1, "downloaded code differs"
summary["downloadMatches"] = downloaded == v1

step("get_function_configuration by ARN and partial ARN")
for ref in (ARN, "111111111111:function:" + NAME):
    cfg = client.get_function_configuration(FunctionName=ref)
    assert cfg["FunctionName"] == NAME
    assert cfg["Timeout"] == 5

step("list_functions paginator")
for extra in ("boto-list-a", "boto-list-b"):
    client.create_function(FunctionName=extra, Runtime="python3.12", Handler="handler.handler", Role=ROLE, Code={"ZipFile": v1})
paginator = client.get_paginator("list_functions")
names = [f["FunctionName"] for page in paginator.paginate(PaginationConfig={"PageSize": 1}) for f in page["Functions"]]
assert sorted(names) == ["boto-fn", "boto-list-a", "boto-list-b"], names
first = paginator.paginate(PaginationConfig={"MaxItems": 2}).build_full_result()
assert len(first["Functions"]) == 2 and "NextToken" in first, first.keys()
rest = paginator.paginate(PaginationConfig={"StartingToken": first["NextToken"]}).build_full_result()
assert sorted(f["FunctionName"] for f in first["Functions"] + rest["Functions"]) == sorted(names)
raw = client.list_functions(MaxItems=1)
assert len(raw["Functions"]) == 1 and raw["NextMarker"], raw.keys()
summary["listed"] = sorted(names)

step("update_function_configuration + waiter function_updated_v2")
upd = client.update_function_configuration(FunctionName=NAME, MemorySize=384, Environment={"Variables": {"MODE": "compat"}})
assert upd["LastUpdateStatus"] == "InProgress", upd["LastUpdateStatus"]
client.get_waiter("function_updated_v2").wait(FunctionName=NAME, WaiterConfig=WAIT)
cfg = client.get_function_configuration(FunctionName=NAME)
assert cfg["MemorySize"] == 384 and cfg["Environment"] == {"Variables": {"MODE": "compat"}}, cfg
assert cfg["LastUpdateStatus"] == "Successful"

step("update_function_code Publish=True")
code = client.update_function_code(FunctionName=NAME, ZipFile=v2, Publish=True)
assert code["Version"] == "1" and code["CodeSha256"] == sha(v2), code
client.get_waiter("function_updated_v2").wait(FunctionName=NAME, WaiterConfig=WAIT)

step("publish_version")
assert client.publish_version(FunctionName=NAME)["Version"] == "1"
client.update_function_configuration(FunctionName=NAME, Timeout=8)
client.get_waiter("function_updated_v2").wait(FunctionName=NAME, WaiterConfig=WAIT)
pub = client.publish_version(FunctionName=NAME, Description="two")
assert pub["Version"] == "2" and pub["Description"] == "two" and pub["Timeout"] == 8, pub
assert pub["ResponseMetadata"]["HTTPStatusCode"] == 201

step("list_versions_by_function")
versions = [v["Version"] for v in client.list_versions_by_function(FunctionName=NAME)["Versions"]]
assert versions == ["$LATEST", "1", "2"], versions
summary["versions"] = versions

step("errors")
nf = expect_error(client.exceptions.ResourceNotFoundException, client.get_function, FunctionName="boto-missing")
assert nf["Error"]["Code"] == "ResourceNotFoundException"
assert nf["Error"]["Message"] == "Function not found: arn:aws:lambda:us-east-1:111111111111:function:boto-missing", nf
assert nf["ResponseMetadata"]["HTTPStatusCode"] == 404
assert nf["Type"] == "User" and nf["Message"] == nf["Error"]["Message"], nf
summary["notFound"] = nf["Error"]["Message"]
conflict = expect_error(
    client.exceptions.ResourceConflictException, client.create_function,
    FunctionName=NAME, Runtime="python3.12", Handler="handler.handler", Role=ROLE, Code={"ZipFile": v1},
)
assert conflict["Error"]["Message"] == "Function already exist: " + NAME, conflict
assert conflict["ResponseMetadata"]["HTTPStatusCode"] == 409
assert conflict["message"] == conflict["Error"]["Message"], conflict
summary["conflict"] = conflict["Error"]["Message"]
stale = expect_error(
    client.exceptions.PreconditionFailedException, client.update_function_configuration,
    FunctionName=NAME, Timeout=6, RevisionId=created["RevisionId"],
)
assert stale["ResponseMetadata"]["HTTPStatusCode"] == 412
latest = expect_error(client.exceptions.InvalidParameterValueException, client.delete_function, FunctionName=NAME, Qualifier="$LATEST")
assert latest["Error"]["Message"] == "$LATEST version cannot be deleted without deleting the function.", latest

step("delete_function Qualifier and whole")
deleted = client.delete_function(FunctionName=NAME, Qualifier="1")
assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
versions = [v["Version"] for v in client.list_versions_by_function(FunctionName=NAME)["Versions"]]
assert versions == ["$LATEST", "2"], versions
client.delete_function(FunctionName=ARN)
expect_error(client.exceptions.ResourceNotFoundException, client.get_function_configuration, FunctionName=NAME)
summary["afterDelete"] = sorted(f["FunctionName"] for f in client.list_functions()["Functions"])

print(json.dumps(summary))
