/**
 * Two jest projects: "unit" (fast, pure: discovery, constructs, stacks, deployment folders) and
 * "terraform" (spawns terraform init/validate on every deployment folder; `npm run test:terraform`).
 */
const common = {
  preset: "ts-jest",
  testEnvironment: "node",
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  // The fixture apps are data, not tests.
  modulePathIgnorePatterns: ["<rootDir>/__tests__/fixtures/", "<rootDir>/dist/", "<rootDir>/cdktf.out/"],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: "unit",
      testMatch: ["<rootDir>/__tests__/**/*.test.ts"],
      testPathIgnorePatterns: ["/__tests__/terraform/", "/node_modules/"],
    },
    { ...common, displayName: "terraform", testMatch: ["<rootDir>/__tests__/terraform/**/*.test.ts"] },
  ],
};
