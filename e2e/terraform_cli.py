"""Runs the real terraform binary in a folder with the project's own CLI config (offline provider mirror)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The repository root (e2e/ sits directly under it)."""

TERRAFORM = os.environ.get("DDS_TERRAFORM_BIN", "terraform")
"""The engine to drive; terraform by default, any compatible binary (e.g. tofu) by env."""


def cli_config_file() -> str:
    """
    The CLI config the deployer itself writes (src/terraform/cli-config.ts, compiled to dist/), so the
    e2e installs providers exactly as the product does rather than from a second copy of that logic.
    """
    module = REPO_ROOT / "dist" / "src" / "terraform" / "cli-config.js"
    script = f"process.stdout.write(require({json.dumps(str(module))}).ensureTerraformCliConfig(process.argv[1]).file)"
    result = subprocess.run(["node", "-e", script, str(REPO_ROOT)], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def terraform_env(aws: dict[str, str]) -> dict[str, str]:
    """The process environment for terraform: ours plus the AWS settings and the project's CLI config."""
    return {
        **os.environ,
        **aws,
        "TF_CLI_CONFIG_FILE": cli_config_file(),
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
    }


def terraform(folder: Path, env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Runs `terraform <args>` in `folder` without prompts; raises with the output when it fails and `check`."""
    result = subprocess.run(
        [TERRAFORM, *args], cwd=folder, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"terraform {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result


def planned_values(folder: Path, env: dict[str, str]) -> dict[str, Any]:
    """`terraform show -json` of a fresh plan: what the configuration asks for, whatever moto kept."""
    terraform(folder, env, "plan", "-input=false", "-lock=false", "-refresh=false", "-out=e2e.tfplan")
    try:
        shown = terraform(folder, env, "show", "-json", "e2e.tfplan")
    finally:
        (folder / "e2e.tfplan").unlink(missing_ok=True)
    return json.loads(shown.stdout)


def state_addresses(folder: Path, env: dict[str, str]) -> list[str]:
    """Resource addresses in the folder's state (empty when there is no state or it is empty)."""
    result = terraform(folder, env, "state", "list", check=False)
    return [line for line in result.stdout.splitlines() if line.strip()] if result.returncode == 0 else []
