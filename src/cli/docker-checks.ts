import type { DockerImageStore } from "./adapters/docker";
import type { CheckResult } from "./doctor";

/** The docker provider version the generated Terraform pins (its build path decides what the daemon needs). */
const PINNED_PROVIDER = "kreuzwerker/docker 3.6.2";

/**
 * What the default image build (the docker provider inside terraform apply) needs from the local Docker
 * install, beyond a reachable daemon. Only these, so other checks stay where they are. Not required: a
 * deployment with --image-uri or --build remote needs no local Docker at all.
 */
export function assessDockerBuild(store: DockerImageStore | undefined): CheckResult[] {
  if (store === undefined || store.containerdSnapshotter === undefined) return [];
  return [
    {
      name: "docker store",
      // The provider's docker_image build documents that it needs the classic image store (kreuzwerker/terraform-provider-docker#534):
      // with containerd's store the built image is not found under its name afterwards.
      ok: !store.containerdSnapshotter,
      required: false,
      requirement: "docker",
      detail: store.containerdSnapshotter
        ? `containerd image store is on (driver ${store.driver ?? "?"}); ${PINNED_PROVIDER} cannot build with it`
        : `classic image store (driver ${store.driver ?? "?"})`,
      fix:
        'turn off "Use containerd for pulling and storing images" (Docker Desktop > Settings > General), or set ' +
        '{"features": {"containerd-snapshotter": false}} in /etc/docker/daemon.json and restart dockerd; ' +
        "or deploy with --build remote (AWS CodeBuild) or --image-uri",
    },
    {
      name: "docker buildx",
      // 3.6.2 builds through the daemon's API (BuildKit session) unless a builder is named, so buildx is
      // optional today; 4.x makes buildx the default builder.
      ok: true,
      required: false,
      requirement: "docker",
      detail: store.buildx
        ? `${store.buildx} (not needed by ${PINNED_PROVIDER}, which builds through the daemon API)`
        : `not installed; not needed by ${PINNED_PROVIDER}, which builds through the daemon API`,
    },
  ];
}
