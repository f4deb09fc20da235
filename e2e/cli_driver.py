"""Drives the product's real CLI (./dynamic_deployment_system.sh) against moto, in a root of its own."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from moto_harness import REGION
from provider_override import write_override
from terraform_cli import REPO_ROOT

ENTRY = REPO_ROOT / "dynamic_deployment_system.sh"
"""The CLI a person runs; the e2e goes through it, not around it."""

IMAGE_URI = "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud-e2e:1.0"
"""An image that need not exist: moto never pulls it, and --image-uri skips the Docker build."""

COMMAND_TIMEOUT_SECONDS = 600
"""A deploy that takes longer than this against moto is hung (a trial took about 90 s)."""


@dataclass
class CliRun:
    """One finished CLI command."""

    args: list[str]
    code: int
    output: str
    seconds: float

    def describe(self) -> str:
        """The command, its exit code and its output, for assertion messages."""
        return f"$ {' '.join(self.args)}\nexit {self.code} after {self.seconds:.1f}s\n{self.output}"


def cli_arch(architecture: str) -> str:
    """The --arch spelling a person types (ecs-alb) for a stack architecture (ecs_alb)."""
    return architecture.replace("_", "-")


class DeploymentCli:
    """
    The CLI with DDS_REPO_ROOT at a scratch folder whose apps/ links to the real apps, so the deployment
    folders (and their state) it writes can never collide with a person's real deployments in the checkout.
    """

    def __init__(self, root: Path, endpoint: str, aws: dict[str, str]) -> None:
        self.root = root
        self.endpoint = endpoint
        root.mkdir(parents=True, exist_ok=True)
        apps = root / "apps"
        if not apps.exists():
            apps.symlink_to(REPO_ROOT / "apps", target_is_directory=True)
        venv_bin = Path(__file__).resolve().parent.parent / ".venvs" / "e2e" / "bin"
        self.env = {
            **os.environ,
            **aws,
            "DDS_REPO_ROOT": str(root),
            # The e2e venv holds a pinned AWS CLI, which the deployer's prerequisite check and adapters call.
            "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
            "CHECKPOINT_DISABLE": "1",
        }

    def folder(self, architecture: str, app: str) -> Path:
        """The deployment folder the CLI writes for (architecture, app)."""
        return self.root / f"deployment_{architecture}_{app}"

    def run(self, *args: str) -> CliRun:
        """Runs one CLI command to completion (its whole process group is killed if it hangs)."""
        argv = [str(ENTRY), *args]
        started = time.monotonic()
        process = subprocess.Popen(
            argv,
            cwd=self.root,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            output, _ = process.communicate(timeout=COMMAND_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            # terraform and the provider are children of the CLI: end them all, leave nothing running.
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            output += f"\n[e2e] killed after {COMMAND_TIMEOUT_SECONDS}s"
        except BaseException:
            # The test run itself is stopping (Ctrl-C, pytest timeout): the CLI's own session would outlive it.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        return CliRun(argv, process.returncode, output, time.monotonic() - started)

    def deploy(self, architecture: str, app: str, image_uri: str, *extra: str, folder: Path | None = None) -> CliRun:
        """`deploy` with an existing image, no prompt, no health wait (nothing runs in moto); `folder` for --env."""
        folder = folder or self.folder(architecture, app)
        folder.mkdir(exist_ok=True)
        # Written before the CLI runs: the deployer must keep files of the folder it does not own.
        write_override(folder, self.endpoint)
        return self.run(
            "deploy",
            "--arch",
            cli_arch(architecture),
            "--app",
            app,
            "--image-uri",
            image_uri,
            "--region",
            REGION,
            "--yes",
            "--health-timeout",
            "0",
            *extra,
        )

    def destroy(self, architecture: str, app: str) -> CliRun:
        """`destroy` without a prompt."""
        return self.run("destroy", "--arch", cli_arch(architecture), "--app", app, "--yes")
