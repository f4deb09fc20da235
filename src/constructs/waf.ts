import { Construct } from "constructs";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { InputError } from "../validation/errors";
import { skipCheck } from "./checkov";
import type { VariableSpec } from "../stacks/variables";

/** Default of waf_rate_limit: requests one IP may send in any 5 minutes before WAF blocks it (about 10/s). */
export const DEFAULT_WAF_RATE_LIMIT = 3000;

/** Raised when --waf is asked for an architecture without a load balancer (`needs`: the --arch spellings that have one). */
export class WafArchitectureError extends InputError {
  constructor(arch: string, needs: readonly string[]) {
    super(`--waf needs --arch ${needs.join(" or ")}: AWS WAF attaches to the load balancer, and ${arch} has none`);
    this.name = "WafArchitectureError";
  }
}

/** The waf_rate_limit variable of a stack with a web ACL (none without); the architecture is checked by the caller. */
export function wafVariableSpecs(waf: boolean | undefined): Record<string, VariableSpec> {
  if (!waf) return {};
  return {
    waf_rate_limit: {
      type: "number",
      description: "Requests one client IP may send in any 5 minutes; more are blocked by AWS WAF (403) until the rate drops",
      default: DEFAULT_WAF_RATE_LIMIT,
      validation: {
        condition: "var.waf_rate_limit >= 10 && var.waf_rate_limit <= 2000000000",
        errorMessage: "waf_rate_limit must be between 10 and 2000000000 (AWS WAF's bounds).",
      },
    },
  };
}

/** Settings of the web ACL. */
export interface RateLimitWafProps {
  /** Name of the web ACL and its metrics. */
  name: string;
  /** The load balancer it protects. */
  loadBalancerArn: string;
  /** Requests per client IP per 5 minutes (Terraform variable waf_rate_limit). */
  rateLimit: number;
}

/**
 * A regional AWS WAF web ACL with one rate-based rule (per source IP) on the load balancer: a flood from one
 * address is blocked at the edge before it reaches a task; everything else is allowed (the app checks credentials).
 */
export class RateLimitWaf extends Construct {
  /** The web ACL's ARN. */
  readonly arn: string;

  constructor(scope: Construct, id: string, props: RateLimitWafProps) {
    super(scope, id);
    const visibility = (metric: string) => ({ cloudwatchMetricsEnabled: true, metricName: metric, sampledRequestsEnabled: true });
    const acl = new Wafv2WebAcl(this, "web_acl", {
      name: props.name,
      description: "Per-IP rate limit in front of the fraud-scoring API",
      scope: "REGIONAL",
      defaultAction: { allow: {} },
      rule: [
        {
          name: "rate-limit-per-ip",
          priority: 1,
          action: { block: {} },
          // The provider types the statement loosely, so it is written in Terraform's own (snake_case) names.
          statement: { rate_based_statement: { limit: props.rateLimit, aggregate_key_type: "IP" } },
          visibilityConfig: visibility(`${props.name}-rate-limit`),
        },
      ],
      visibilityConfig: visibility(props.name),
    });
    skipCheck(acl, "CKV2_AWS_31", "WAF logging needs a Firehose or log bucket per deployment; blocked requests show in the rule's metrics");
    skipCheck(acl, "CKV_AWS_192", "the Log4j managed rule group is for Java back ends; the apps are Python (Flask)");
    new Wafv2WebAclAssociation(this, "association", { resourceArn: props.loadBalancerArn, webAclArn: acl.arn });
    this.arn = acl.arn;
  }
}
