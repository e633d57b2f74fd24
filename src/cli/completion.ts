/**
 * Shell completion: `tldrs completion bash|zsh` prints a script; the script asks
 * `tldrs __complete -- WORD...` (the words after `tldrs`, the last one being completed) for
 * candidates, one a line. Candidates come from the commands as data (commands/index.ts):
 * command and subcommand names, each command's options (switches also as `--no-NAME`, the
 * forms args.ts accepts; never `--NAME=yes`), and the values of options that have a fixed
 * set. Anything else (a file, a ref) is left to the shell's default completion.
 *
 * Not yargs's built-in completion: it picks its output format from $SHELL of the process
 * (so bash inside a zsh login gets zsh's `name:description` pairs) and, with commands given
 * as builders, offers nothing below the first level.
 */
import yargs, { type Argv } from "yargs";
import type { CommandGroup, CommandSpec } from "./command.ts";

export const SHELLS = ["bash", "zsh"] as const;
export type Shell = (typeof SHELLS)[number];

/** Options every command takes (main.ts declares them globally). */
const GLOBAL_OPTIONS = ["--project", "--remote", "--json", "--no-json", "--help", "--version"];
const GLOBAL_VALUED = new Set(["--project", "--remote"]);

export interface Registry {
  groups: readonly CommandGroup[];
  commands: readonly CommandSpec[];
}

interface SpecOptions {
  /** `--name` of every option, and `--no-name` of every switch. */
  flags: string[];
  /** Options that take a value (the word after them is that value). */
  valued: Set<string>;
}

/** The options a command declares, read from its yargs builder run in a command context. */
function specOptions(spec: CommandSpec): SpecOptions {
  const positionals = new Set([...spec.command.matchAll(/[<[](\w+)(?:\.\.)?[>\]]/g)].map((m) => m[1]!));
  let known: { key: Record<string, unknown>; boolean: string[]; hiddenOptions: string[] } = { key: {}, boolean: [], hiddenOptions: [] };
  const y = yargs(["x"]) as unknown as Argv;
  void y
    .command(
      "x",
      "",
      (sub) => {
        const built = spec.options ? spec.options(sub) : sub;
        known = (built as unknown as { getOptions(): typeof known }).getOptions();
        return built;
      },
      () => undefined,
    )
    .exitProcess(false)
    .help(false)
    .version(false)
    .parse();
  const flags: string[] = [];
  const valued = new Set<string>();
  for (const key of Object.keys(known.key)) {
    if (positionals.has(key) || known.hiddenOptions.includes(key) || /[A-Z]/.test(key) || key === "help" || key === "version") continue;
    const flag = key.length === 1 ? `-${key}` : `--${key}`;
    flags.push(flag);
    if (known.boolean.includes(key)) flags.push(`--no-${key}`);
    else valued.add(flag);
  }
  return { flags, valued };
}

/** Candidates for the last of `words` (the words typed after `tldrs`; "" when a new word starts). */
export function completionCandidates(words: readonly string[], registry: Registry): string[] {
  const current = words.length > 0 ? words[words.length - 1]! : "";
  const before = words.slice(0, -1);
  const names: string[] = [];
  let valueFor: string | undefined;
  for (let i = 0; i < before.length; i++) {
    const w = before[i]!;
    if (w === "--") break;
    if (w.startsWith("-")) {
      if (!w.includes("=")) valueFor = w;
      continue;
    }
    if (valueFor !== undefined && (GLOBAL_VALUED.has(valueFor) || isValued(valueFor, names, registry))) {
      valueFor = undefined;
      continue; // the value of the option before it
    }
    valueFor = undefined;
    names.push(w);
  }
  const group = registry.groups.find((g) => g.command === names[0]);
  const spec = group ? group.subcommands.find((s) => commandName(s) === names[1]) : registry.commands.find((s) => commandName(s) === names[0]);

  // The value of an option with a fixed set of values.
  const previous = before[before.length - 1];
  if (spec && previous !== undefined && previous.startsWith("--") && !current.startsWith("-")) {
    const choices = spec.choices?.[previous.slice(2)];
    if (choices) return choices.filter((c) => c.startsWith(current));
    if (specOptions(spec).valued.has(previous)) return [];
  }
  if (previous !== undefined && GLOBAL_VALUED.has(previous)) return [];

  if (current.startsWith("-")) {
    const flags = spec ? [...specOptions(spec).flags, ...GLOBAL_OPTIONS] : GLOBAL_OPTIONS;
    const used = new Set(before);
    return [...new Set(flags)].filter((f) => f.startsWith(current) && !used.has(f)).sort();
  }
  if (!group && !spec && names.length === 0) {
    return [...registry.groups.map((g) => g.command), ...registry.commands.filter((s) => !s.hidden).map(commandName)].filter((n) => n.startsWith(current));
  }
  if (group && !spec && names.length === 1) return group.subcommands.map(commandName).filter((n) => n.startsWith(current));
  // A positional with a fixed set of values (the shell of `tldrs completion`).
  if (spec) {
    const positional = /[<[](\w+)[>\]]/.exec(spec.command)?.[1];
    const choices = positional ? spec.choices?.[positional] : undefined;
    const given = names.length - (group ? 2 : 1);
    if (choices && given === 0) return choices.filter((c) => c.startsWith(current));
  }
  return [];
}

function commandName(spec: CommandSpec): string {
  return spec.command.split(" ")[0]!;
}

function isValued(flag: string, names: readonly string[], registry: Registry): boolean {
  const group = registry.groups.find((g) => g.command === names[0]);
  const spec = group ? group.subcommands.find((s) => commandName(s) === names[1]) : registry.commands.find((s) => commandName(s) === names[0]);
  return spec !== undefined && specOptions(spec).valued.has(flag);
}

/** The script for `shell`, calling the program by the name it is installed under. */
export function completionScript(shell: Shell): string {
  return shell === "zsh" ? ZSH_SCRIPT : BASH_SCRIPT;
}

const BASH_SCRIPT = `# tldrs completion for bash. Install: tldrs completion bash > ~/.local/share/bash-completion/completions/tldrs
# (or add  eval "$(tldrs completion bash)"  to ~/.bashrc)
_tldrs_complete() {
  local IFS=$'\\n'
  local candidates
  candidates=$(tldrs __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return 0
  COMPREPLY=($(compgen -W "$candidates" -- "\${COMP_WORDS[COMP_CWORD]}"))
}
complete -o default -F _tldrs_complete tldrs
`;

const ZSH_SCRIPT = `#compdef tldrs
# tldrs completion for zsh. Install: tldrs completion zsh > "\${fpath[1]}/_tldrs" (then restart zsh)
# (or add  eval "$(tldrs completion zsh)"  to ~/.zshrc, after compinit)
_tldrs() {
  local -a candidates
  candidates=("\${(@f)$(tldrs __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  candidates=("\${(@)candidates:#}")
  if (( \${#candidates} )); then
    compadd -- "\${candidates[@]}"
  else
    _files
  fi
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _tldrs "$@"
else
  compdef _tldrs tldrs
fi
`;
