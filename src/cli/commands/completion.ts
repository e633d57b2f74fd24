/** `tldrs completion [bash|zsh]`: the shell completion script; `tldrs __complete`: its candidates (completion.ts). */
import { defineCommand } from "../command.ts";
import { EXIT_OK, UsageError } from "../errors.ts";

const SHELL_CHOICES = ["bash", "zsh"] as const;

export const completionCommand = defineCommand({
  command: "completion [shell]",
  name: "completion",
  describe: "Print the shell completion script for bash or zsh (default: zsh when $SHELL is zsh, else bash)",
  examples: [
    ['eval "$(tldrs completion bash)"', "in ~/.bashrc: complete tldrs commands, options and values"],
    ['tldrs completion zsh > "${fpath[1]}/_tldrs"', "install it for zsh"],
  ],
  json: "none",
  choices: { shell: SHELL_CHOICES },
  options: (y) => y.positional("shell", { type: "string", describe: "bash or zsh" }),
  async run(ctx) {
    const given = ctx.args["shell"];
    const shell = given === undefined ? (/zsh$/.test(ctx.io.env["SHELL"] ?? "") ? "zsh" : "bash") : String(given);
    if (shell !== "bash" && shell !== "zsh") throw new UsageError(`SHELL must be bash or zsh, got "${shell}"`, "completion");
    const { completionScript } = await import("../completion.ts");
    await ctx.io.stdout.write(completionScript(shell));
    return EXIT_OK;
  },
});

export const completeCommand = defineCommand({
  command: "__complete",
  name: "__complete",
  describe: "Completion candidates for the words after tldrs (used by the completion scripts)",
  hidden: true,
  json: "none",
  examples: [],
  async run(ctx) {
    // The words come after "--" (so that "--fo" being typed is not read as an option): yargs
    // leaves them in "_", after the command's own name.
    const words = ctx.args._.slice(1).map(String);
    const [{ completionCandidates }, { commandGroups, topLevelCommands }] = await Promise.all([import("../completion.ts"), import("./index.ts")]);
    const candidates = completionCandidates(words, { groups: commandGroups, commands: topLevelCommands });
    await ctx.io.stdout.write(candidates.map((c) => `${c}\n`).join(""));
    return EXIT_OK;
  },
});
