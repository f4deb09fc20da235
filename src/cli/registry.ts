import type { CommandDef } from "./command";
import { bootstrapStateCommand } from "./commands/bootstrap-state";
import { costCommand } from "./commands/cost";
import { deployCommand, planCommand } from "./commands/deploy";
import { destroyCommand, stopCommand } from "./commands/destroy";
import { doctorCommand } from "./commands/doctor";
import { listCommand } from "./commands/list";
import { logsCommand } from "./commands/logs";
import { menuCommand } from "./commands/menu";
import { serveCommand } from "./commands/serve";
import { statusCommand } from "./commands/status";
import { rotateKeysCommand } from "./commands/rotate-keys";

/** Every command of the CLI, in help order (the menu is the default command). */
export const COMMANDS: CommandDef[] = [
  menuCommand,
  listCommand,
  planCommand,
  deployCommand,
  statusCommand,
  logsCommand,
  destroyCommand,
  rotateKeysCommand,
  costCommand,
  serveCommand,
  stopCommand,
  doctorCommand,
  bootstrapStateCommand,
];

/** Examples shown by `<command> --help` ([command line after the script name, what it does]); every command has one (tested). */
export const EXAMPLES: Record<string, Array<[string, string]>> = {
  $0: [['echo -e "3\\n1\\ny" | $0', "menu answers from a pipe: ECS + Load Balancer, app 1, yes"]],
  list: [["$0 list --json", "every discovered app with all its fields"]],
  plan: [
    ["$0 plan --arch ecs-alb --app flask-xgboost-app", "write the folder and show what terraform would create"],
    ["$0 plan --arch ec2 --app 1 --json", "the planned changes as JSON"],
  ],
  deploy: [
    ["$0 deploy --arch ecs-alb --app flask-xgboost-app --yes", "build, push and deploy behind a load balancer"],
    [
      "$0 deploy --arch ecs --app 2 --image-uri 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1 --json",
      "an image already pushed; outcome as JSON",
    ],
  ],
  status: [["$0 status --json", "every deployment folder with state, URL and health"]],
  logs: [["$0 logs --arch ecs --app flask-xgboost-app --since 30m --follow", "the app's CloudWatch logs, followed"]],
  destroy: [["$0 destroy --arch ecs-alb --app flask-xgboost-app --yes", "remove everything the deployment created"]],
  "rotate-keys": [
    ["$0 rotate-keys --arch ecs-alb --app flask-xgboost-app", "new API keys, old ones accepted until the restart is done"],
    ["$0 rotate-keys --arch ecs --app 12 --scope labelling --phase add", "add a new labelling key, keep the old one for now"],
  ],
  cost: [["$0 cost --app flask-xgboost-app --region eu-west-1", "daily and monthly estimate of the three architectures"]],
  serve: [["$0 serve --app flask-logreg-app --port 8600", "run the app on 127.0.0.1:8600 (no AWS needed)"]],
  stop: [["$0 stop --app flask-logreg-app", "stop a local run"]],
  doctor: [["$0 doctor --json", "the prerequisite checks as JSON"]],
  "bootstrap-state": [["$0 bootstrap-state --bucket my-team-tfstate --region eu-west-1", "the shared state bucket and lock table"]],
  completion: [["$0 completion >> ~/.bashrc", "tab completion of commands and flags in bash (zsh: >> ~/.zshrc)"]],
};
