import data from "./regions.json";
import { InputError } from "./errors";

/** Every region the pinned aws provider accepts, by partition (source in regions.json). */
export const AWS_PARTITION_REGIONS: Readonly<Record<string, readonly string[]>> = data.partitions;

/** Every region the pinned aws provider accepts, sorted. */
export const AWS_REGIONS: readonly string[] = Object.values(data.partitions).flat().sort();

/** The partition a region belongs to ("aws", "aws-cn", ...), or undefined for an unknown region. */
export function partitionOf(region: string): string | undefined {
  return Object.entries(AWS_PARTITION_REGIONS).find(([, regions]) => regions.includes(region))?.[0];
}

/** Checks a region name from `source` (a flag or an environment variable) against the provider's list. */
export function parseRegion(text: string, source: string): string {
  const region = text.trim();
  if (AWS_REGIONS.includes(region)) return region;
  const near = AWS_REGIONS.filter((known) => known.startsWith(region.split("-")[0] ?? "")).slice(0, 6);
  throw new InputError(
    `${source} ${JSON.stringify(text)} is not an AWS region${near.length > 0 ? ` (e.g. ${near.join(", ")})` : " such as us-east-1 or eu-west-3"}`,
  );
}
