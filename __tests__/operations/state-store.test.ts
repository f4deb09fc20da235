import { effectiveStateStore, stateStoreWarnings } from "../../src/architectures";
import { parseStateStore, stateStoreSecrets, StateStoreSpecError } from "../../src/operations/state-store";
import { ARCHITECTURES } from "../../src/types";

describe("parseStateStore", () => {
  test("memory and elasticache, any case; nothing given is undefined (the architecture decides)", () => {
    expect(parseStateStore(" Memory ", undefined)).toEqual({ kind: "memory" });
    expect(parseStateStore("ELASTICACHE", undefined)).toEqual({ kind: "elasticache" });
    expect(parseStateStore(undefined, undefined)).toBeUndefined();
    expect(parseStateStore("", "")).toBeUndefined();
  });

  test("a URL keeps host, port (6379 when absent) and database, and its password parameter", () => {
    expect(parseStateStore("redis://10.0.0.5:6380/2", "/fraud/redis")).toEqual({
      kind: "url",
      url: "redis://10.0.0.5:6380/2",
      host: "10.0.0.5",
      port: 6380,
      passwordParameter: "/fraud/redis",
    });
    expect(parseStateStore("rediss://cache.example.com", undefined)).toEqual({
      kind: "url",
      url: "rediss://cache.example.com/0",
      host: "cache.example.com",
      port: 6379,
    });
  });

  test.each([
    ["http://cache:6379/0", undefined, /memory, elasticache, or a redis/],
    ["redis://user:pw@cache:6379/0", undefined, /no credentials in the URL/],
    ["redis://cache:6379/zero", undefined, /database number/],
    ["redis://cache:6379/0?tls=1", undefined, /no query/],
    ["redis://cache:6379/0", "not a parameter!", /not an SSM parameter name/],
    ["memory", "/fraud/redis", /goes with a redis:\/\/ URL/],
    [undefined, "/fraud/redis", /needs --state-store/],
  ])("%s with secret %s is refused", (text, secret, message) => {
    expect(() => parseStateStore(text, secret)).toThrow(StateStoreSpecError);
    expect(() => parseStateStore(text, secret)).toThrow(message);
  });

  test("a password in the URL never reaches the message", () => {
    expect(() => parseStateStore("redis://:hunter2hunter2@cache:6379/0", undefined)).toThrow(/^(?!.*hunter2)/);
  });
});

describe("defaults and what follows from a choice", () => {
  test.each(ARCHITECTURES)("%s: ElastiCache only behind the load balancer unless asked", (arch) => {
    expect(effectiveStateStore(arch, undefined).kind).toBe(arch === "ecs_alb" ? "elasticache" : "memory");
    expect(effectiveStateStore(arch, { kind: "elasticache" }).kind).toBe("elasticache");
    expect(effectiveStateStore(arch, { kind: "memory" }).kind).toBe("memory");
  });

  test("opting the load balancer out of the shared store warns; nothing else does", () => {
    expect(stateStoreWarnings("ecs_alb", { kind: "memory" })).toEqual([expect.stringMatching(/scores degrade/)]);
    expect(stateStoreWarnings("ecs_alb", undefined)).toEqual([]);
    expect(stateStoreWarnings("ec2", { kind: "memory" })).toEqual([]);
  });

  test("only a URL with --state-store-secret hands a password to the container, by parameter name", () => {
    const url = parseStateStore("redis://cache/0", "/fraud/redis")!;
    expect(stateStoreSecrets(url)).toEqual([{ name: "FRAUDKIT_STATE_STORE_PASSWORD", parameter: "/fraud/redis" }]);
    expect(stateStoreSecrets(parseStateStore("redis://cache/0", undefined)!)).toEqual([]);
    expect(stateStoreSecrets({ kind: "elasticache" })).toEqual([]);
  });
});
