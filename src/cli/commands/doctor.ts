/**
 * `tldrs doctor`: the store's health in one screen. Each finding says what is wrong and
 * the command that fixes it; exit 1 when something needs action.
 */
import { defineCommand } from "../command.ts";

export const doctorCommand = defineCommand({
  command: "doctor",
  name: "doctor",
  describe: "Check the store: lock, database, foreign SQLite connections, blobs, leftovers",
  examples: [
    ["tldrs doctor", "a readable health report; exit 1 if something needs action"],
    ["tldrs doctor --json", "the same as JSON"],
  ],
  json: "optional",
  async run(ctx) {
    const { runDoctor } = await import("./doctor_checks.ts");
    return runDoctor(ctx);
  },
});
