/**
 * The architecture ids, in menu order. The one list every other list, label and dispatch is derived from:
 * src/architectures/index.ts must hold a complete definition for each, or the build fails.
 */
export const ARCHITECTURE_IDS = ["ec2", "ecs", "ecs_alb"] as const;

/** One of the AWS architectures (stack and folder names use these spellings). */
export type Architecture = (typeof ARCHITECTURE_IDS)[number];
