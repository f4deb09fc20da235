import { Testing } from "cdktf";
import { remoteBuildspec } from "../../src/constructs/remote-build";
import { DeploymentStack } from "../../src/stacks/deployment-stack";
import { stackName } from "../../src/stacks/factory";
import { ARCHITECTURES } from "../../src/types";
import { appsUnderTest } from "../helpers/apps";

const app = appsUnderTest().find((a) => a.name === "flask-xgboost-app") ?? appsUnderTest()[0]!;

type Doc = {
  terraform: { required_providers: Record<string, unknown> };
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: string }>;
  variable: Record<string, { default?: unknown }>;
  provider: Record<string, unknown>;
};

describe.each(ARCHITECTURES)("the remote build form on %s", (arch) => {
  const doc = JSON.parse(Testing.synth(new DeploymentStack(Testing.app(), stackName(arch, app), { app, arch, build: "remote" }))) as Doc;
  const one = (type: string) => {
    const all = Object.values(doc.resource[type] ?? {});
    expect(all).toHaveLength(1);
    return all[0]!;
  };

  it("needs no docker provider and runs the digest the CLI writes", () => {
    expect(doc.terraform.required_providers.docker).toBeUndefined();
    expect(doc.provider.docker).toBeUndefined();
    expect(doc.variable.image_digest.default).toBe("");
    expect(doc.output.image.value).toBe("${aws_ecr_repository.image_repository.repository_url}@${var.image_digest}");
    expect(doc.output.remote_build_project.value).toBe("${aws_codebuild_project.image_remote_build_project.name}");
  });

  it("builds on x86_64 CodeBuild with the app's build arguments and exports the digest", () => {
    const project = one("aws_codebuild_project") as {
      environment: { image: string; privileged_mode: boolean; environment_variable: Array<{ name: string; value: string }> };
      source: { type: string; location: string; buildspec: string };
    };
    expect(project.environment.image).toMatch(/amazonlinux2-x86_64/);
    expect(project.environment.privileged_mode).toBe(true);
    expect(project.environment.environment_variable).toEqual([
      { name: "REPOSITORY_URI", value: "${aws_ecr_repository.image_repository.repository_url}" },
    ]);
    expect(project.source).toMatchObject({ type: "S3", location: "${aws_s3_bucket.image_remote_build_source.bucket}/source/context.zip" });
    expect(project.source.buildspec).toContain(
      `docker build --platform linux/amd64 -f ${app.dockerfile} --build-arg APP=${app.name} --build-arg PYTHON_VERSION=${app.pythonVersion}`,
    );
    // The shell's ${VAR} reaches CodeBuild literally, not as a Terraform interpolation.
    expect(project.source.buildspec).toContain('REGISTRY="$${REPOSITORY_URI%%/*}"');
    expect(project.source.buildspec).toContain("exported-variables: [IMAGE_DIGEST]");
  });

  it("keeps the source bucket private, encrypted and short-lived", () => {
    expect(one("aws_s3_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(JSON.stringify(one("aws_s3_bucket_server_side_encryption_configuration"))).toContain("AES256");
    expect(JSON.stringify(one("aws_s3_bucket_lifecycle_configuration"))).toMatch(/"days":1/);
    expect(one("aws_s3_bucket")).toMatchObject({ force_destroy: true });
  });

  it("gives the build role exactly push to this repository, read of the source object and its log group", () => {
    const trust = doc.data.aws_iam_policy_document.image_remote_build_role_trust as { statement: Array<Record<string, unknown>> };
    expect(JSON.stringify(trust)).toContain("codebuild.amazonaws.com");
    expect(JSON.stringify(trust)).toContain("aws:SourceAccount");
    const permissions = doc.data.aws_iam_policy_document.image_remote_build_role_permissions as {
      statement: Array<{ sid: string; actions: string[]; resources: string[] }>;
    };
    const bySid = Object.fromEntries(permissions.statement.map((s) => [s.sid, s]));
    expect(bySid.EcrPush!.resources).toEqual(["${aws_ecr_repository.image_repository.arn}"]);
    expect(bySid.ReadSource!.resources).toEqual(["${aws_s3_bucket.image_remote_build_source.arn}/source/context.zip"]);
    expect(bySid.EcrLogin!.actions).toEqual(["ecr:GetAuthorizationToken"]);
    const wildcard = permissions.statement.filter((s) => s.resources.includes("*")).map((s) => s.sid);
    expect(wildcard).toEqual(["EcrLogin"]);
  });
});

test("remoteBuildspec quotes build arguments that are not plain words", () => {
  const spec = remoteBuildspec({ dockerfile: "my app/Dockerfile", buildArgs: { NOTE: "it's" }, platform: "linux/amd64" });
  expect(spec).toContain(`-f 'my app/Dockerfile' --build-arg NOTE='it'\\''s'`);
});
