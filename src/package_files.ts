/**
 * Where the files of an installed dependency are, as URLs the platform can read.
 *
 * The package resolution of the runtime (`import.meta.resolve`) comes first: it is the one
 * that resolved our own imports of that package, so a file found this way belongs to the
 * same installed copy as the code we run. Where it gives no file URL (a loader without
 * resolve, an import map to a remote URL), the usual node_modules layouts next to this
 * module are tried: src/ or dist/ of a checkout, or a package hoisted beside ours.
 */

/** Candidate URLs of `specifier` (`<package>/<path inside it>`), best first. */
export function packageFileUrls(specifier: string): URL[] {
  const urls: URL[] = [];
  const meta = import.meta as ImportMeta & { resolve?: (s: string) => string };
  if (typeof meta.resolve === "function") {
    try {
      const href = meta.resolve(specifier);
      if (href.startsWith("file:")) urls.push(new URL(href));
    } catch {
      // Not resolvable this way here: try the layouts below.
    }
  }
  // From <pkg>/src/ or <pkg>/dist/: the package's own node_modules, then a hoisted sibling.
  for (const up of ["../node_modules/", "../../", "../../../node_modules/"]) {
    const url = new URL(up + specifier, import.meta.url);
    if (!urls.some((u) => u.href === url.href)) urls.push(url);
  }
  return urls;
}
