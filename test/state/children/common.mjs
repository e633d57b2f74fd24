// Helpers for child processes: they use the built package, as users do.
export const tldrs = await import(new URL("../../../dist/node.js", import.meta.url).href);

/** Says "ready" and resolves when the parent writes "go" (so that the children start together). */
export function barrier() {
  process.stdout.write("ready\n");
  return new Promise((resolve) => {
    let seen = "";
    process.stdin.on("data", (d) => {
      seen += d.toString();
      if (seen.includes("go")) resolve();
    });
  });
}
