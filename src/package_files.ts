/**
 * Where the files of an installed dependency are, as URLs the platform can read.
 *
 * The package resolution of the runtime (`import.meta.resolve`) comes first: it is the one
 * that resolved our own imports of that package, so a file found this way belongs to the
 * same installed copy as the code we run. Where it gives no file URL (a loader without
 * resolve, an import map to a remote URL), node_modules/ in this module's folder and in each
 * folder above it, as Node looks them up: the package's own, or one hoisted beside ours, from
 * src/ or dist/ of a checkout and from the CLI's bundle in dist/cli/ alike.
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
  // <folder>/node_modules/<specifier> for this module's folder and each one above it.
  for (let folder = new URL("./", import.meta.url); ; folder = new URL("../", folder)) {
    if (!folder.pathname.endsWith("/node_modules/")) {
      const url = new URL("node_modules/" + specifier, folder);
      if (!urls.some((u) => u.href === url.href)) urls.push(url);
    }
    if (folder.pathname === "/" || new URL("../", folder).href === folder.href) break;
  }
  return urls;
}
