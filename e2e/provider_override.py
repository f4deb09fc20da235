"""Writes provider_override.tf, which Terraform merges into a deployment folder's aws provider to aim it at moto."""

from __future__ import annotations

import json
import re
from pathlib import Path

from moto_harness import FAKE_CREDENTIALS, REGION

OVERRIDE_FILE = "provider_override.tf"
"""Terraform merges any *_override.tf into the configuration, so main.tf itself is never edited."""

SERVICES = (
    "acm",
    "apigatewayv2",
    "applicationautoscaling",
    "autoscaling",
    "cloudwatch",
    "cloudwatchlogs",
    "codebuild",
    "ec2",
    "ecr",
    "ecs",
    "elasticache",
    "elb",
    "elbv2",
    "iam",
    "kms",
    "s3",
    "scheduler",
    "secretsmanager",
    "sns",
    "ssm",
    "sts",
)
"""Every service the three architectures touch, plus neighbours a future resource may need."""

_ALIAS = re.compile(r'provider\s+"aws"\s*\{(?:[^{}]|\{[^{}]*\})*?\balias\s*=\s*"([^"]+)"', re.S)


def provider_aliases(tf_text: str) -> list[str | None]:
    """The aws provider configurations in a main.tf: None for the default one, then every alias."""
    return [None, *sorted(set(_ALIAS.findall(tf_text)))]


def render_override(endpoint: str, aliases: list[str | None] | None = None) -> str:
    """HCL that points each given aws provider configuration at `endpoint` with fake credentials."""
    blocks = []
    for alias in aliases or [None]:
        lines = ['provider "aws" {']
        if alias is not None:
            lines.append(f"  alias                       = {json.dumps(alias)}")
        lines += [
            f"  region                      = {json.dumps(REGION)}",
            f"  access_key                  = {json.dumps(FAKE_CREDENTIALS['AWS_ACCESS_KEY_ID'])}",
            f"  secret_key                  = {json.dumps(FAKE_CREDENTIALS['AWS_SECRET_ACCESS_KEY'])}",
            # moto answers STS, but skipping the checks keeps a slow or absent service out of every plan.
            "  skip_credentials_validation = true",
            "  skip_metadata_api_check     = true",
            "  skip_region_validation      = true",
            # A moto gap answers 500; the provider's default of 25 retries makes that look like a hang.
            "  max_retries                 = 2",
            "  s3_use_path_style           = true",
            "  endpoints {",
            *(f"    {service:<22} = {json.dumps(endpoint)}" for service in SERVICES),
            "  }",
            "}",
        ]
        blocks.append("\n".join(lines))
    header = "# Written by the e2e harness: aims the aws provider at a local moto server. Never commit.\n"
    return header + "\n\n".join(blocks) + "\n"


def write_override(folder: Path, endpoint: str) -> Path:
    """Drops provider_override.tf next to the folder's main.tf, covering every aws provider alias it declares."""
    main_tf = folder / "main.tf"
    aliases = provider_aliases(main_tf.read_text()) if main_tf.exists() else [None]
    target = folder / OVERRIDE_FILE
    target.write_text(render_override(endpoint, aliases))
    return target
