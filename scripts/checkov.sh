#!/usr/bin/env bash
# Security scan of every stack: writes each (architecture, app) deployment folder as HCL (with the
# in-code #checkov:skip reasons) under cdktf.out/checkov/, runs a pinned checkov over them, prints
# passed/failed/skipped and exits non-zero when any check fails.
set -euo pipefail
cd "$(dirname "$0")/.."

CHECKOV_VERSION="3.3.30"
VENV=".venvs/tools"
. scripts/tool_venv.sh
tool_venv "$VENV" checkov "$CHECKOV_VERSION" checkov

npm run --silent build
OUT="cdktf.out/checkov"
rm -rf "$OUT"
node -e '
  const path = require("path");
  const { discoverApps } = require("./dist/src/discovery");
  const { writeDeploymentFolder } = require("./dist/src/deployment-folder");
  const { ARCHITECTURES } = require("./dist/src/types");
  const repoRoot = process.cwd();
  const { apps } = discoverApps(path.join(repoRoot, "apps"));
  for (const arch of ARCHITECTURES) for (const app of apps) {
    writeDeploymentFolder({ repoRoot, app, arch, outDir: path.join(repoRoot, process.argv[1], `${arch}_${app.name}`) });
  }
  // Every architecture once more with every operations feature on, and the state bootstrap.
  const { parseSchedule } = require("./dist/src/operations/schedule");
  const { writeStateBootstrap } = require("./dist/src/state-bootstrap");
  const operations = { alarms: true, alertEmail: "ops@example.com", schedule: parseSchedule("mon-fri 08:00-19:00 Europe/Paris"), secrets: [{ name: "API_KEY", parameter: "/fraud/api-key" }], environment: "staging" };
  const s3Backend = { bucket: "team-tfstate", dynamodbTable: "terraform-locks" };
  for (const arch of ARCHITECTURES) {
    // API keys (with a customer managed key) everywhere, the WAF where it applies.
    const keys = { apiKeys: { prefix: "/dds/x/api-keys", generated: true, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/abc-123" }, waf: arch === "ecs_alb" };
    writeDeploymentFolder({ repoRoot, app: apps[0], arch, operations: { ...operations, ...keys }, s3Backend, outDir: path.join(repoRoot, process.argv[1], `ops_${arch}_${apps[0].name}`) });
  }
  // The IAM-authenticated API Gateway front before an internal load balancer (keys off, as the CLI sets them).
  writeDeploymentFolder({ repoRoot, app: apps[0], arch: "ecs_alb", operations: { ...operations, authFront: "iam", waf: true }, outDir: path.join(repoRoot, process.argv[1], `front_ecs_alb_${apps[0].name}`) });
  // --build remote: the CodeBuild project, its source bucket and role, once per architecture.
  for (const arch of ARCHITECTURES) {
    writeDeploymentFolder({ repoRoot, app: apps[0], arch, build: "remote", outDir: path.join(repoRoot, process.argv[1], `remote_${arch}_${apps[0].name}`) });
  }
  // The state store on the architectures where it is opt-in: the ElastiCache, and an existing URL with its secret.
  const { parseStateStore } = require("./dist/src/operations/state-store");
  for (const arch of ["ec2", "ecs"]) for (const [name, stateStore] of [["cache", parseStateStore("elasticache")], ["url", parseStateStore("redis://10.0.0.5:6379/0", "/fraud/redis")]]) {
    writeDeploymentFolder({ repoRoot, app: apps[0], arch, operations: { stateStore }, outDir: path.join(repoRoot, process.argv[1], `store_${name}_${arch}_${apps[0].name}`) });
  }
  writeStateBootstrap(path.join(repoRoot, process.argv[1], "state_bootstrap"), { bucket: "team-tfstate", lockTable: "terraform-locks", region: "us-east-1" });
  console.error(`wrote ${ARCHITECTURES.length * apps.length} stacks, ${ARCHITECTURES.length} with every operations feature on, and the state bootstrap`);
' "$OUT"
# The script above is untyped JavaScript: make sure each opt-in form really rendered what it is there to scan.
for check in "remote_*:aws_codebuild_project" "front_*:aws_apigatewayv2_api" "store_cache_*:aws_elasticache_replication_group" "ops_*:aws_cloudwatch_metric_alarm"; do
  for dir in "$OUT"/${check%%:*}; do
    grep -q "\"${check#*:}\"" "$dir/main.tf" || { echo "checkov.sh: $dir/main.tf has no ${check#*:}" >&2; exit 1; }
  done
done

REPORT="$OUT/report.json"
set +e
"$VENV/bin/checkov" --directory "$OUT" --framework terraform --config-file .checkov.yaml --skip-download --output json > "$REPORT"
STATUS=$?
set -e
"$VENV/bin/python" - "$REPORT" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
reports = data if isinstance(data, list) else [data]
totals = {"passed": 0, "failed": 0, "skipped": 0}
for report in reports:
    for key in totals:
        totals[key] += report.get("summary", {}).get(key, 0)
    for check in report.get("results", {}).get("failed_checks", []):
        print(f"FAILED {check['check_id']} {check['resource']} ({check['file_path']}): {check['check_name']}")
print(f"checkov: passed={totals['passed']} failed={totals['failed']} skipped={totals['skipped']}")
PY
exit $STATUS
