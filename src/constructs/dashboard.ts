import { Construct } from "constructs";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { Fn } from "cdktf";
import { accountContext } from "./account";
import { type AlarmSpec, isMath, type MetricRef } from "./alarm-specs";

/** Settings of the app's dashboard. */
export interface AppDashboardProps {
  /** Dashboard name. */
  name: string;
  /** The alarms: one graph each, with the threshold drawn in. */
  specs: AlarmSpec[];
  /** Log group whose latest lines the dashboard shows. */
  logGroupName: string;
  /** Seconds per datapoint, as the alarms use. */
  periodSeconds: number;
}

/** Graph widgets per row (24 columns wide). */
const COLUMNS = 3;
const WIDTH = 24 / COLUMNS;
const HEIGHT = 6;

/** A metric line in CloudWatch's dashboard form: [namespace, name, dim, value, ..., options]. */
function metricLine(metric: MetricRef, options: Record<string, unknown>): unknown[] {
  return [metric.namespace, metric.metricName, ...Object.entries(metric.dimensions).flat(), { stat: metric.stat, ...options }];
}

/** The graph of one alarm's metric (math alarms: the expression, its inputs hidden). */
export function alarmWidget(spec: AlarmSpec, region: string, period: number, index: number): Record<string, unknown> {
  const metrics = isMath(spec.watch)
    ? [
        [{ expression: spec.watch.expression, label: spec.watch.label, id: "result" }],
        ...Object.entries(spec.watch.metrics).map(([id, metric]) => metricLine(metric, { id, visible: false })),
      ]
    : [metricLine(spec.watch, {})];
  return {
    type: "metric",
    x: (index % COLUMNS) * WIDTH,
    y: Math.floor(index / COLUMNS) * HEIGHT,
    width: WIDTH,
    height: HEIGHT,
    properties: {
      title: spec.id.replace(/_/g, " "),
      region,
      period,
      view: "timeSeries",
      metrics,
      annotations: { horizontal: [{ label: "alarm threshold", value: spec.threshold }] },
    },
  };
}

/** A CloudWatch dashboard: every alarm's metric with its threshold, then the app's latest log lines. */
export class AppDashboard extends Construct {
  constructor(scope: Construct, id: string, props: AppDashboardProps) {
    super(scope, id);
    const { region } = accountContext(this);
    const graphs = props.specs.map((spec, index) => alarmWidget(spec, region, props.periodSeconds, index));
    const logs = {
      type: "log",
      x: 0,
      y: Math.ceil(graphs.length / COLUMNS) * HEIGHT,
      width: 24,
      height: HEIGHT,
      properties: {
        title: "latest app log lines",
        region,
        view: "table",
        query: `SOURCE '${props.logGroupName}' | fields @timestamp, @message | sort @timestamp desc | limit 50`,
      },
    };
    new CloudwatchDashboard(this, "dashboard", { dashboardName: props.name, dashboardBody: Fn.jsonencode({ widgets: [...graphs, logs] }) });
  }
}
