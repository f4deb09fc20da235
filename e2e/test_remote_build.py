"""`deploy --build remote` through the CLI against moto: the CodeBuild project, its bucket and role, the build."""

from __future__ import annotations

import io
import zipfile

from cli_driver import DeploymentCli, cli_arch
from expectations import state_outputs
from inventory import client, inventory, left_over
from moto_harness import FAKE_BUILD_LOG, REGION
from provider_override import write_override
from timings import Timings

ARCHITECTURE = "ecs"
APP = "flask-logreg-app"
"""One app on one architecture: the build resources are the same construct on all three."""


def test_remote_build_then_destroy(cli: DeploymentCli, moto_endpoint: str, timings: Timings) -> None:
    baseline = inventory(moto_endpoint)
    folder = cli.folder(ARCHITECTURE, APP)
    folder.mkdir(exist_ok=True)
    write_override(folder, cli.endpoint)
    deployed = cli.run(
        "deploy", "--arch", cli_arch(ARCHITECTURE), "--app", APP, "--build", "remote",
        "--region", REGION, "--yes", "--health-timeout", "0",
    )  # fmt: skip
    timings.record(f"{ARCHITECTURE} ({APP}) --build remote", "deploy", deployed.seconds, f"exit {deployed.code}")
    assert deployed.code == 0, deployed.describe()

    # The build's log lines reached the terminal, and the digest it exported is what the service runs.
    for line in FAKE_BUILD_LOG:
        assert f"[build] {line}" in deployed.output, deployed.describe()
    outputs = state_outputs(folder)
    tfvars = (folder / "terraform.tfvars").read_text(encoding="utf-8")
    digest = tfvars.split('image_digest = "', 1)[1].split('"', 1)[0]
    assert outputs["image"] == f"{outputs['ecr_repository_url']}@{digest}"

    codebuild = client(moto_endpoint, "codebuild")
    [project] = codebuild.batch_get_projects(names=[outputs["remote_build_project"]])["projects"]
    assert project["environment"]["image"].startswith("aws/codebuild/amazonlinux2-x86_64")
    assert project["environment"]["privilegedMode"] is True
    assert project["source"]["type"] == "S3"
    builds = codebuild.list_builds_for_project(projectName=project["name"])["ids"]
    assert len(builds) == 1, "one deploy starts one build"

    # The uploaded context: the app, fraudkit, the constraints and the template, nothing of the other apps.
    s3 = client(moto_endpoint, "s3")
    bucket = outputs["remote_build_bucket"]
    body = s3.get_object(Bucket=bucket, Key="source/context.zip")["Body"].read()
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert {"Dockerfile", f"{APP}/app.py", "fraudkit/serving/docker/install.sh", "constraints/py312.txt"} <= set(names)
    assert not [name for name in names if name.startswith(("flask-xgboost-app/", "tests/"))]
    blocked = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(blocked.values())
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"

    iam = client(moto_endpoint, "iam")
    role = iam.get_role(RoleName=project["serviceRole"].rsplit("/", 1)[1])["Role"]
    assert "codebuild.amazonaws.com" in str(role["AssumeRolePolicyDocument"])

    destroyed = cli.destroy(ARCHITECTURE, APP)
    timings.record(f"{ARCHITECTURE} ({APP}) --build remote", "destroy", destroyed.seconds, f"exit {destroyed.code}")
    assert destroyed.code == 0, destroyed.describe()
    assert codebuild.batch_get_projects(names=[project["name"]])["projects"] == []
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert left_over(moto_endpoint, baseline) == []
