"""The order-export bucket: built from its definition in faka.resources (as faka local builds it), private, expiring,
and reachable by the api function alone."""

from __future__ import annotations

import json

import pytest

from faka import resources
from faka.config import Env
from tests.infra.conftest import Synthesized
from tests.infra.test_functions import _actions, _function, _statements

pytestmark = pytest.mark.xdist_group(name="infra-synth")


def _bucket(synthesized: Synthesized) -> tuple[str, dict]:
    for logical_id, bucket in synthesized.resources("AWS::S3::Bucket").items():
        name = json.dumps(bucket["Properties"].get("BucketName", ""))
        if resources.EXPORTS_BUCKET.physical_name in name:
            return logical_id, bucket["Properties"]
    raise AssertionError("no export bucket")


def test_the_export_bucket_is_private_encrypted_and_expires_its_objects(synthesized: Synthesized) -> None:
    _, props = _bucket(synthesized)

    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"
    }
    (rule,) = props["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == resources.EXPORTS_BUCKET.expiration_days


@pytest.mark.parametrize("spec", resources.FUNCTIONS, ids=lambda spec: spec.name)
def test_only_the_api_function_reads_and_writes_exports(synthesized: Synthesized, spec: resources.FunctionSpec) -> None:
    bucket_id, _ = _bucket(synthesized)
    on_bucket = [s for s in _statements(synthesized, spec) if bucket_id in json.dumps(s["Resource"])]
    actions = {action for statement in on_bucket for action in _actions(statement)}
    variables = _function(synthesized, spec)[1]["Environment"]["Variables"]

    if spec is resources.API_FUNCTION:
        assert actions == {"s3:PutObject", "s3:GetObject"}
        assert Env.EXPORT_BUCKET in variables
    else:
        assert actions == set()
        assert Env.EXPORT_BUCKET not in variables
