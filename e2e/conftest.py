"""Session fixtures: one patched moto server for the whole run, started and stopped by the test itself."""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from cli_driver import DeploymentCli
from moto_harness import aws_env, moto_server
from timings import Timings

_TIMINGS = Timings()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """The moto server's URL; the server lives exactly as long as the test session."""
    # One line per request from werkzeug would bury terraform's own output.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture(autouse=True)
def fresh_moto(moto_endpoint: str) -> None:
    """
    Each test starts from an empty moto (its reset API), so one test's leftovers cannot disturb the next:
    once, with other deployments' VPCs still in moto, revoking the default security group's egress rule
    failed with InvalidPermission.NotFound; on a fresh moto the same configuration applies cleanly.
    """
    request = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


@pytest.fixture(scope="session")
def aws(moto_endpoint: str) -> dict[str, str]:
    """Environment variables that aim every AWS client at moto with fake credentials."""
    return aws_env(moto_endpoint)


@pytest.fixture(scope="session")
def cli(tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str, aws: dict[str, str]) -> DeploymentCli:
    """The product's CLI, rooted in a scratch folder (each test deploys a different app, so folders never clash)."""
    return DeploymentCli(tmp_path_factory.mktemp("dds-root"), moto_endpoint, aws)


@pytest.fixture(scope="session")
def timings() -> Timings:
    """The run's apply/destroy timings, printed at the end."""
    return _TIMINGS


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On a pytest-xdist worker, hands its timings to the controller, which prints the one table."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["timings"] = json.dumps(_TIMINGS.rows)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """Collects a finished xdist worker's timings (the hook exists only when pytest-xdist is loaded)."""
    for what, step, seconds, outcome in json.loads(node.workeroutput.get("timings", "[]")):
        _TIMINGS.record(what, step, seconds, outcome)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Prints the timing table whatever the outcome, so a slow or failed run still reports its figures."""
    workers = getattr(terminalreporter.config.option, "numprocesses", None) or 0
    concurrency = f"{workers} tests at a time" if workers else "one test at a time"
    terminalreporter.section(f"deploy / destroy times through the CLI, terraform against moto ({concurrency})")
    terminalreporter.write_line(_TIMINGS.table())
