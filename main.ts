/**
 * CDKTF entry point (`npx cdktf synth`): one stack per (architecture, app) found under apps/.
 * Select a subset with DDS_STACKS or DDS_APPS / DDS_ARCHS; DDS_IMAGE_URI switches to the image-URI form.
 */
import * as path from "path";
import { App } from "cdktf";
import { AppsDirError, discoverApps, UnknownAppError } from "./src/discovery";
import { addStacks, UnknownArchitectureError } from "./src/stacks/factory";
import { selectStacks } from "./src/stacks/selection";

function main(env: NodeJS.ProcessEnv): void {
  const discovery = discoverApps(env.DDS_APPS_DIR ?? path.join(process.cwd(), "apps"));
  for (const problem of discovery.problems) {
    console.error(`skipped app ${problem.app}: ${problem.file}${problem.line ? `:${problem.line}` : ""}: ${problem.message}`);
  }
  const app = new App();
  for (const { arch, app: spec } of selectStacks(discovery, env)) {
    addStacks(app, [spec], [arch], { imageUri: env.DDS_IMAGE_URI || undefined, region: env.DDS_REGION || undefined });
  }
  app.synth();
}

try {
  main(process.env);
} catch (error) {
  // Bad selections are the user's input: one line, no stack trace.
  if (!(error instanceof UnknownAppError || error instanceof UnknownArchitectureError || error instanceof AppsDirError)) throw error;
  console.error(`error: ${error.message}`);
  process.exit(1);
}
