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
