/** The one place where commands are registered. */
import type { CommandGroup, CommandSpec } from "../command.ts";
import { completeCommand, completionCommand } from "./completion.ts";
import { contextCommand } from "./context.ts";
import { doctorCommand } from "./doctor.ts";
import { mcpCommand } from "./mcp.ts";
import { sessionGroup } from "./session.ts";
import { vhsGroup } from "./vhs.ts";

export const commandGroups: CommandGroup[] = [vhsGroup, sessionGroup];
export const topLevelCommands: CommandSpec[] = [contextCommand, doctorCommand, mcpCommand, completionCommand, completeCommand];
