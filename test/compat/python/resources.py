"""Aliases, layers, permissions, tags, concurrency, function URLs and event invoke configs through stock boto3.

Run by test/compat/boto3-resources.compat.ts with SLUICE_ENDPOINT, AWS_* credentials, ZIP_FUNCTION and ZIP_LAYER.
Asserts as it goes, prints `step: ...` lines, and one JSON summary as the last line.
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
FN = "boto-res"
ARN = "arn:aws:lambda:us-east-1:111111111111:function:" + FN
LAYER_ARN = "arn:aws:lambda:us-east-1:111111111111:layer:boto-layer"
WAIT = {"Delay": 1, "MaxAttempts": 30}

client = boto3.client("lambda", endpoint_url=ENDPOINT, config=Config(retries={"max_attempts": 1}))
summary = {}


def step(name):
    print("step: " + name, flush=True)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def expect_error(exc_class, fn, **kwargs):
    try:
        fn(**kwargs)
    except exc_class as e:
        return e.response
    raise AssertionError("expected %s from %s" % (exc_class.__name__, fn.__name__))


code = read(os.environ["ZIP_FUNCTION"])
layer_zip = read(os.environ["ZIP_LAYER"])

step("setup: function with versions 1 and 2")
client.create_function(FunctionName=FN, Runtime="python3.12", Handler="handler.handler", Role=ROLE, Code={"ZipFile": code}, Publish=True)
client.get_waiter("function_active_v2").wait(FunctionName=FN, WaiterConfig=WAIT)
client.update_function_configuration(FunctionName=FN, MemorySize=256)
client.get_waiter("function_updated_v2").wait(FunctionName=FN, WaiterConfig=WAIT)
assert client.publish_version(FunctionName=FN)["Version"] == "2"
client.get_waiter("published_version_active").wait(FunctionName=FN + ":2", WaiterConfig=WAIT)

step("aliases")
alias = client.create_alias(FunctionName=FN, Name="live", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
assert alias["AliasArn"] == ARN + ":live", alias
assert alias["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.5}}, alias
assert client.get_alias(FunctionName=FN, Name="live")["RevisionId"] == alias["RevisionId"]
conflict = expect_error(client.exceptions.ResourceConflictException, client.create_alias, FunctionName=FN, Name="live", FunctionVersion="2")
assert conflict["Error"]["Message"] == "Alias already exists: " + ARN + ":live", conflict
stale = expect_error(
    client.exceptions.PreconditionFailedException, client.update_alias,
    FunctionName=FN, Name="live", FunctionVersion="2", RevisionId="not-the-revision",
)
assert stale["ResponseMetadata"]["HTTPStatusCode"] == 412
moved = client.update_alias(FunctionName=FN, Name="live", FunctionVersion="2", RoutingConfig={"AdditionalVersionWeights": {}})
assert moved["FunctionVersion"] == "2", moved
names = [a["Name"] for page in client.get_paginator("list_aliases").paginate(FunctionName=FN) for a in page["Aliases"]]
assert names == ["live"], names
summary["alias"] = moved["AliasArn"]

step("layers")
pub = client.publish_layer_version(LayerName="boto-layer", Content={"ZipFile": layer_zip}, CompatibleRuntimes=["python3.12"], CompatibleArchitectures=["x86_64"])
assert pub["Version"] == 1 and pub["LayerVersionArn"] == LAYER_ARN + ":1", pub
assert pub["Content"]["CodeSha256"] == base64.b64encode(hashlib.sha256(layer_zip).digest()).decode()
with urllib.request.urlopen(pub["Content"]["Location"]) as res:
    assert res.read() == layer_zip, "layer download differs"
assert client.get_layer_version_by_arn(Arn=LAYER_ARN + ":1")["Version"] == 1
listed = [l["LayerName"] for page in client.get_paginator("list_layers").paginate() for l in page["Layers"]]
assert listed == ["boto-layer"], listed
client.add_layer_version_permission(LayerName="boto-layer", VersionNumber=1, StatementId="acct", Action="lambda:GetLayerVersion", Principal="222222222222")
policy = json.loads(client.get_layer_version_policy(LayerName="boto-layer", VersionNumber=1)["Policy"])
assert [s["Sid"] for s in policy["Statement"]] == ["acct"], policy
cfg = client.update_function_configuration(FunctionName=FN, Layers=[LAYER_ARN + ":1"])
assert [l["Arn"] for l in cfg["Layers"]] == [LAYER_ARN + ":1"], cfg
client.get_waiter("function_updated_v2").wait(FunctionName=FN, WaiterConfig=WAIT)
client.delete_layer_version(LayerName="boto-layer", VersionNumber=1)
expect_error(client.exceptions.ResourceNotFoundException, client.get_layer_version, LayerName="boto-layer", VersionNumber=1)
summary["layer"] = pub["LayerVersionArn"]

step("permissions")
added = client.add_permission(FunctionName=FN, StatementId="s1", Action="lambda:InvokeFunction", Principal="sns.amazonaws.com",
                              SourceArn="arn:aws:sns:us-east-1:111111111111:topic")
assert json.loads(added["Statement"])["Sid"] == "s1", added
policy = json.loads(client.get_policy(FunctionName=FN)["Policy"])
assert [s["Sid"] for s in policy["Statement"]] == ["s1"], policy
client.remove_permission(FunctionName=FN, StatementId="s1")
expect_error(client.exceptions.ResourceNotFoundException, client.get_policy, FunctionName=FN)

step("tags")
client.tag_resource(Resource=ARN, Tags={"a": "1", "b": "2"})
client.untag_resource(Resource=ARN, TagKeys=["a"])
tags = client.list_tags(Resource=ARN)["Tags"]
assert tags == {"b": "2"}, tags
summary["tags"] = tags

step("concurrency")
assert client.put_function_concurrency(FunctionName=FN, ReservedConcurrentExecutions=3)["ReservedConcurrentExecutions"] == 3
assert client.get_function_concurrency(FunctionName=FN)["ReservedConcurrentExecutions"] == 3
limits = client.get_account_settings()["AccountLimit"]
assert limits["UnreservedConcurrentExecutions"] == limits["ConcurrentExecutions"] - 3, limits
client.delete_function_concurrency(FunctionName=FN)
assert "ReservedConcurrentExecutions" not in client.get_function_concurrency(FunctionName=FN)

step("function URL")
url = client.create_function_url_config(FunctionName=FN, AuthType="AWS_IAM")
assert url["AuthType"] == "AWS_IAM" and url["FunctionArn"] == ARN, url
assert client.get_function_url_config(FunctionName=FN)["FunctionUrl"] == url["FunctionUrl"]
assert client.update_function_url_config(FunctionName=FN, AuthType="NONE")["AuthType"] == "NONE"
configs = [c["FunctionArn"] for c in client.list_function_url_configs(FunctionName=FN)["FunctionUrlConfigs"]]
assert configs == [ARN], configs
client.delete_function_url_config(FunctionName=FN)
expect_error(client.exceptions.ResourceNotFoundException, client.get_function_url_config, FunctionName=FN)
summary["functionUrl"] = url["FunctionUrl"]

step("event invoke config")
eic = client.put_function_event_invoke_config(FunctionName=FN, Qualifier="live", MaximumRetryAttempts=0)
assert eic["FunctionArn"] == ARN + ":live" and eic["MaximumRetryAttempts"] == 0, eic
# botocore parses the epoch-seconds LastModified into a datetime.
assert hasattr(eic["LastModified"], "year"), eic["LastModified"]
upd = client.update_function_event_invoke_config(FunctionName=FN, Qualifier="live", MaximumEventAgeInSeconds=120)
assert upd["MaximumEventAgeInSeconds"] == 120 and upd["MaximumRetryAttempts"] == 0, upd
listed = [c["FunctionArn"] for c in client.list_function_event_invoke_configs(FunctionName=FN)["FunctionEventInvokeConfigs"]]
assert listed == [ARN + ":live"], listed
client.delete_function_event_invoke_config(FunctionName=FN, Qualifier="live")
expect_error(client.exceptions.ResourceNotFoundException, client.get_function_event_invoke_config, FunctionName=FN, Qualifier="live")

step("cleanup")
client.delete_function(FunctionName=FN)
expect_error(client.exceptions.ResourceNotFoundException, client.get_alias, FunctionName=FN, Name="live")
print(json.dumps(summary))
