"""API keys through the CLI against moto: deploy generates them into SSM SecureStrings that the ECS task definition
names by ARN, no key value reaches any file of the deployment folder (state, logs, main.tf) or the CLI's output,
rotate-keys replaces them in two restarts, and destroy deletes them. Then the keys are used as a client would.

moto runs no container, so "calling the deployed app" is done honestly in two halves: the wiring (task definition
secrets by ARN, FRAUDKIT_REQUIRE_KEYS=1, an execution role that reads exactly those parameters) is checked in moto,
and the key values a client fetches from (moto's) SSM are checked against the same app served locally with the
same environment variables the ECS agent would set. That proves the stored keys authenticate against the app's
code; it does not prove that ECS injects them (only the task definition says so)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from cli_driver import IMAGE_URI, DeploymentCli
from expectations import state_outputs
from inventory import client
from terraform_cli import REPO_ROOT
from timings import Timings

APP = "flask-logreg-app"
"""Light to serve locally (scikit-learn); its ecs folder and names differ from the other e2e tests' deployments."""
PREFIX = f"/dds/ecs-{APP}/api-keys"
SCOPES = ("scoring", "labelling")
KEY = re.compile(r"^ddsk_[0-9a-f]{64}$")


def _keys(endpoint: str) -> dict[str, str]:
    """Both parameters' values, read as a client would (GetParameter with decryption)."""
    ssm = client(endpoint, "ssm")
    found = {}
    for scope in SCOPES:
        parameter = ssm.get_parameter(Name=f"{PREFIX}/{scope}", WithDecryption=True)["Parameter"]
        assert parameter["Type"] == "SecureString"
        found[scope] = parameter["Value"]
    return found


def _assert_nowhere(values: list[str], folder: Path, *outputs: str) -> None:
    """No value in any file of the deployment folder (state, logs, main.tf, tfvars) nor in the CLI's output."""
    for path in folder.rglob("*"):
        if path.is_file() and ".terraform" not in path.parts:
            text = path.read_text(errors="ignore")
            for value in values:
                assert value not in text, f"an API key leaked into {path.name}"
    for output in outputs:
        for value in values:
            assert value not in output, "an API key reached the CLI's output"


def test_generated_keys_stay_out_of_terraform_rotate_and_go_with_destroy(
    cli: DeploymentCli, moto_endpoint: str, timings: Timings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # moto (in this process) then reports the service's task as running, so rollouts complete as on AWS.
    monkeypatch.setenv("MOTO_ECS_SERVICE_RUNNING", "1")
    deployed = cli.deploy("ecs", APP, IMAGE_URI)
    timings.record(f"ecs ({APP}) + API keys", "deploy", deployed.seconds, f"exit {deployed.code}")
    assert deployed.code == 0, deployed.describe()
    folder = cli.folder("ecs", APP)
    outputs = state_outputs(folder)
    keys = _keys(moto_endpoint)
    assert all(KEY.match(value) for value in keys.values()) and keys["scoring"] != keys["labelling"]
    assert f"--name {PREFIX}/scoring --with-decryption" in deployed.output

    ecs = client(moto_endpoint, "ecs")
    service = ecs.describe_services(cluster=outputs["cluster_name"], services=[outputs["service_name"]])["services"][0]
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    (container,) = task["containerDefinitions"]
    arns = [f"arn:aws:ssm:us-east-1:123456789012:parameter{PREFIX}/{scope}" for scope in SCOPES]
    assert [(s["name"], s["valueFrom"]) for s in container["secrets"]] == list(
        zip(["FRAUDKIT_SCORING_KEYS", "FRAUDKIT_LABELLING_KEYS"], arns)
    )
    assert {"name": "FRAUDKIT_REQUIRE_KEYS", "value": "1"} in container["environment"]
    role = task["executionRoleArn"].rsplit("/", 1)[1]
    iam = client(moto_endpoint, "iam")
    (policy_name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    (read,) = [s for s in document["Statement"] if s.get("Sid") == "ReadSecretParameters"]
    assert sorted(read["Resource"]) == sorted(arns)
    _assert_nowhere(list(keys.values()), folder, deployed.output)

    rotated = cli.run("rotate-keys", "--arch", "ecs", "--app", APP, "--timeout", "120")
    timings.record(f"ecs ({APP}) + API keys", "rotate-keys", rotated.seconds, f"exit {rotated.code}")
    assert rotated.code == 0, rotated.describe()
    assert rotated.output.count("Restarting") == 2
    fresh = _keys(moto_endpoint)
    for scope in SCOPES:
        assert KEY.match(fresh[scope]) and fresh[scope] != keys[scope], "phase 2 leaves exactly one new key"
    _assert_nowhere([*keys.values(), *fresh.values()], folder, rotated.output)

    destroyed = cli.destroy("ecs", APP)
    timings.record(f"ecs ({APP}) + API keys", "destroy", destroyed.seconds, f"exit {destroyed.code}")
    assert destroyed.code == 0, destroyed.describe()
    names = [f"{PREFIX}/{scope}" for scope in SCOPES]
    assert client(moto_endpoint, "ssm").get_parameters(Names=names)["InvalidParameters"] == names
    _assert_nowhere([*keys.values(), *fresh.values()], folder, destroyed.output)

    # Last, since it may skip: the values were kept in memory, so the parameters being gone does not matter.
    _call_like_a_client(fresh)


def _app_python() -> Path | None:
    """The python of the app's env under the repository (created by scripts/python_envs.sh), if it exists."""
    env = subprocess.run(
        ["python3", "-m", "fraudkit.app_folders", APP],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "apps")},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    python = REPO_ROOT / ".venvs" / env / "bin" / "python"
    return python if python.exists() else None


def _get(url: str, key: str | None) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError):
        return 0  # not listening yet


def _call_like_a_client(keys: dict[str, str]) -> None:
    """The fetched keys against the app served with the task definition's variables (see the module docstring)."""
    fraudkit = (REPO_ROOT / "apps" / "fraudkit").rglob("*.py")
    if not any("FRAUDKIT_SCORING_KEYS" in path.read_text(errors="ignore") for path in fraudkit):
        pytest.skip("the apps do not check API keys yet (fraudkit's side); the Terraform and SSM checks above ran")
    python = _app_python()
    if python is None:
        pytest.skip(f"no Python env for {APP}: run scripts/python_envs.sh (the CI's apps step does)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT / "apps"),
        "FRAUDKIT_SCORING_KEYS": keys["scoring"],
        "FRAUDKIT_LABELLING_KEYS": keys["labelling"],
        "FRAUDKIT_REQUIRE_KEYS": "1",
    }
    # The command `serve` runs (src/cli/local-serve.ts gunicornArgs); output discarded: it must not hold keys anyway.
    server = subprocess.Popen(
        [
            str(python),
            "-m",
            "gunicorn",
            "--config",
            "python:fraudkit.serving.gunicorn_conf",
            "--chdir",
            str(REPO_ROOT / "apps" / APP),
            "-b",
            f"127.0.0.1:{port}",
            "app:create_app()",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while _get(f"{base}/health", None) != 200:
            assert server.poll() is None, "the app exited before it was healthy"
            assert time.monotonic() < deadline, "the app did not become healthy within 90 s"
            time.sleep(0.5)
        assert _get(f"{base}/model-info", None) == 401
        assert _get(f"{base}/model-info", "ddsk_" + "0" * 64) == 401
        # Refused either way; the apps answer a valid key of the other scope with 403 (insufficient_scope).
        assert _get(f"{base}/model-info", keys["labelling"]) in (
            401,
            403,
        ), "a labelling key must not read the scoring scope"
        assert _get(f"{base}/model-info", keys["scoring"]) == 200
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
