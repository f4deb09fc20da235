// Benchmark: cost of loading @cdktf/provider-aws from its package root vs. from the submodules the
// stacks use, each in a fresh node process (median of N runs), plus the ratio. Run: node scripts/bench/import-cost.js [N]
const { spawnSync } = require("child_process");

const runs = Number(process.argv[2] ?? 5);
const submodules = ["provider", "vpc", "subnet", "ecs-service", "ecs-task-definition", "lb", "instance", "ecr-repository"];
const cases = {
  root: `const aws = require("@cdktf/provider-aws"); for (const m of ${JSON.stringify(submodules)}) void aws;`,
  submodules: `for (const m of ${JSON.stringify(submodules)}) require("@cdktf/provider-aws/lib/" + m);`,
};
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (const [name, code] of Object.entries(cases)) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const out = spawnSync(process.execPath, ["-e", `const t=process.hrtime.bigint();${code};console.log(Number(process.hrtime.bigint()-t)/1e6)`], {
      cwd: process.cwd(),
      encoding: "utf8",
    });
    times.push(Number(out.stdout.trim()));
  }
  results[name] = median(times);
  console.log(`${name.padEnd(10)} median ${results[name].toFixed(0)} ms over ${runs} runs`);
}
console.log(`root / submodules = ${(results.root / results.submodules).toFixed(1)}x`);
