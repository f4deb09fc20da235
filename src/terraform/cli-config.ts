import * as fs from "fs";
import * as path from "path";

/** Folders searched for a local provider mirror when DDS_TF_PLUGIN_MIRROR is not set. */
const DEFAULT_MIRROR_CANDIDATES = ["/opt/tf-plugins", "/usr/local/share/tf-plugins", "/usr/share/tf-plugins"];

/** Where the project's Terraform CLI config lives and which provider mirror it points at. */
export interface TerraformCliConfig {
  /** Absolute path of the CLI config file to export as TF_CLI_CONFIG_FILE. */
  file: string;
  /** The filesystem mirror it uses, or undefined when providers come from the registry. */
  mirror?: string;
}

/**
 * Finds the provider mirror: $DDS_TF_PLUGIN_MIRROR if set (empty string disables the mirror),
 * otherwise the first default candidate that holds a registry.terraform.io folder.
 */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.DDS_TF_PLUGIN_MIRROR;
  if (configured !== undefined) {
    return configured === "" ? undefined : path.resolve(configured);
  }
  return DEFAULT_MIRROR_CANDIDATES.find((dir) => fs.existsSync(path.join(dir, "registry.terraform.io")));
}

/** Providers ("registry.terraform.io/<namespace>/<name>") that a filesystem mirror holds. */
export function mirroredProviders(mirror: string): string[] {
  const host = "registry.terraform.io";
  const hostDir = path.join(mirror, host);
  if (!fs.existsSync(hostDir)) return [];
  return fs
    .readdirSync(hostDir)
    .flatMap((ns) => fs.readdirSync(path.join(hostDir, ns)).map((name) => `${host}/${ns}/${name}`))
    .sort();
}

/**
 * The text of a CLI config that installs the providers `mirror` holds from it (so init works offline)
 * and every other provider from the registry.
 */
export function renderCliConfig(mirror: string | undefined, providers: string[] = []): string {
  if (mirror === undefined || providers.length === 0) {
    return "# Written by the deployer: providers come from the registry.\n";
  }
  const list = JSON.stringify(providers);
  return [
    "# Written by the deployer: providers held by the local mirror come from it, the rest from the registry.",
    "provider_installation {",
    "  filesystem_mirror {",
    `    path    = ${JSON.stringify(mirror)}`,
    `    include = ${list}`,
    "  }",
    "  direct {",
    `    exclude = ${list}`,
    "  }",
    "}",
    "",
  ].join("\n");
}

/**
 * Writes the project's own Terraform CLI config under `stateDir` (default <repo>/.tfcli) and returns it.
 * $DDS_TF_CLI_CONFIG, when set, names a config the user maintains and is returned untouched.
 * The user's ~/.terraformrc is never read or written.
 */
export function ensureTerraformCliConfig(
  repoRoot: string,
  env: NodeJS.ProcessEnv = process.env,
  stateDir: string = path.join(repoRoot, ".tfcli"),
): TerraformCliConfig {
  if (env.DDS_TF_CLI_CONFIG) {
    return { file: path.resolve(env.DDS_TF_CLI_CONFIG) };
  }
  const mirror = findProviderMirror(env);
  const file = path.join(stateDir, "terraformrc");
  const text = renderCliConfig(mirror, mirror === undefined ? [] : mirroredProviders(mirror));
  fs.mkdirSync(stateDir, { recursive: true });
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) {
    fs.writeFileSync(file, text);
  }
  return { file, mirror };
}
