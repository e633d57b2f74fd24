/**
 * resolveCall: the project symbols a call may reach, by name, without types.
 *
 * Bare `f()`: a function nested in an enclosing function, else one defined at the top of
 * the same file, else what the file imports under that name, else top-level functions of
 * that name elsewhere (same folder first; at most MAX_GLOBAL, as more is a guess).
 * `self.f()` / `this.f()` / Go's receiver: the method of the caller's class.
 * `mod.f()`: the module `mod` imports; `Type.f()` / `Type::f()`: the method of `Type`.
 * Any other `x.f()`: the project's method `f` if there is exactly one.
 * A call that reaches a class (`Foo()`, `new Foo()`) reaches its constructor.
 */
import type { IndexedFile, ProjectIndex, Sym } from "./project_index.ts";
import type { CallSite } from "./symbols.ts";
import { syntaxFor } from "./syntax.ts";

/** More same-named top-level functions than this in other files: the call is left unresolved. */
export const MAX_GLOBAL = 3;

const CONSTRUCTORS = ["__init__", "constructor"];
const JS_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

export function resolveCall(index: ProjectIndex, from: Sym, call: CallSite): Sym[] {
  return toCallable(resolveName(index, from, call));
}

function resolveName(index: ProjectIndex, from: Sym, call: CallSite): Sym[] {
  const file = from.file;
  const { name, receiver } = call;
  if (receiver === undefined) return resolveBare(index, from, name);
  if (receiver === "super") return [];
  if (isSelf(from, receiver)) {
    const owner = ownerOf(from);
    if (owner !== undefined) {
      const own = methodsOf(index, file, owner, name);
      if (own.length > 0) return own;
    }
    return uniqueMethod(index, name);
  }
  // A module: `import x as m; m.f()`, `import * as m from "./m"; m.f()`, Go `pkg.F()`.
  const viaModule = fromImportedModule(index, file, receiver, name);
  if (viaModule.length > 0) return viaModule;
  const last = receiver.slice(receiver.lastIndexOf(".") + 1);
  if (last !== "?") {
    // A type or a named object: `Type.f()`, `Type::f()`, `obj.f()` with `const obj = { f() {} }`.
    const owned = (index.byName.get(name) ?? []).filter((s) => s.rec.owner !== undefined && lastSegment(s.rec.owner) === last);
    if (owned.length > 0) return preferNear(file, owned);
    // A module known by its file or folder name (no import seen): `utils.f()`, Go packages.
    const byPlace = index.topLevel(name).filter((s) => s.file.stem === last || lastSegment(s.file.dir, "/") === last);
    if (byPlace.length > 0) return preferNear(file, byPlace);
  }
  return uniqueMethod(index, name);
}

function resolveBare(index: ProjectIndex, from: Sym, name: string): Sym[] {
  const file = from.file;
  const symbols = file.symbols;
  // Functions nested in the caller or in a function around it.
  for (let p = from.index; p >= 0; p = symbols[p]!.rec.parent) {
    const nested = symbols.filter((s) => s.rec.parent === p && s.rec.name === name && s.rec.kind !== "method");
    if (nested.length > 0) return nested;
  }
  const local = symbols.filter((s) => s.rec.parent < 0 && s.rec.name === name && s.rec.kind !== "method");
  if (local.length > 0) return local;
  const imported = fromImportedName(index, file, name);
  if (imported.length > 0) return imported;
  const global = index.topLevel(name);
  if (global.length === 0) return [];
  const near = global.filter((s) => s.file.dir === file.dir);
  if (near.length > 0 && near.length <= MAX_GLOBAL) return near;
  return global.length <= MAX_GLOBAL ? global : [];
}

/** A class reached by a call means its constructor; the class itself is not sent. */
function toCallable(targets: Sym[]): Sym[] {
  const out: Sym[] = [];
  for (const t of targets) {
    if (t.rec.kind !== "class") {
      out.push(t);
      continue;
    }
    const ctor = t.file.symbols.find((s) => s.rec.parent === t.index && CONSTRUCTORS.includes(s.rec.name) && s.rec.kind === "method");
    if (ctor) out.push(ctor);
  }
  return out;
}

function isSelf(from: Sym, receiver: string): boolean {
  if (syntaxFor(from.file.grammar).selfNames.includes(receiver)) return true;
  for (let p: Sym | undefined = from; p; p = parentOf(p)) if (p.rec.selfName === receiver) return true;
  return false;
}

function parentOf(s: Sym): Sym | undefined {
  return s.rec.parent < 0 ? undefined : s.file.symbols[s.rec.parent];
}

/** The class of the nearest enclosing method (a nested function's `self` is its method's). */
function ownerOf(from: Sym): string | undefined {
  for (let p: Sym | undefined = from; p; p = parentOf(p)) {
    if (p.rec.owner !== undefined) return p.rec.owner;
    if (p.rec.kind === "class") return p.rec.qualified;
  }
  return undefined;
}

/** Methods `name` of `owner`: in the same file, else (Go, Rust impls elsewhere) in the same folder. */
function methodsOf(index: ProjectIndex, file: IndexedFile, owner: string, name: string): Sym[] {
  const same = file.symbols.filter((s) => s.rec.owner === owner && s.rec.name === name);
  if (same.length > 0) return same;
  const last = lastSegment(owner);
  return (index.byName.get(name) ?? []).filter((s) => s.file.dir === file.dir && s.rec.owner !== undefined && lastSegment(s.rec.owner) === last);
}

function uniqueMethod(index: ProjectIndex, name: string): Sym[] {
  const methods = (index.byName.get(name) ?? []).filter((s) => s.rec.kind === "method");
  return methods.length === 1 ? methods : [];
}

function preferNear(file: IndexedFile, list: Sym[]): Sym[] {
  const same = list.filter((s) => s.file === file);
  if (same.length > 0) return same;
  const dir = list.filter((s) => s.file.dir === file.dir);
  if (dir.length > 0 && dir.length <= MAX_GLOBAL) return dir;
  return list.length <= MAX_GLOBAL ? list : [];
}

function lastSegment(qualified: string, sep = "."): string {
  return qualified.slice(qualified.lastIndexOf(sep) + 1);
}

// ---------------------------------------------------------------- imports

/** `from m import f` / `import { f } from "./m"` / `const { f } = require("./m")`, then `f()`. */
function fromImportedName(index: ProjectIndex, file: IndexedFile, name: string): Sym[] {
  for (const imp of file.table.imports) {
    if (imp.imported === undefined || imp.local !== name) continue;
    const wanted = imp.imported === "default" ? name : imp.imported;
    const found = moduleFiles(index, file, imp.module).flatMap((f) => f.symbols.filter((s) => s.rec.parent < 0 && s.rec.name === wanted));
    if (found.length > 0) return found;
  }
  // `from m import *`
  for (const imp of file.table.imports) {
    if (imp.local !== "*") continue;
    const found = moduleFiles(index, file, imp.module).flatMap((f) => f.symbols.filter((s) => s.rec.parent < 0 && s.rec.name === name));
    if (found.length > 0) return found;
  }
  return [];
}

/** `import m` / `import * as m` / Go `import "x/m"`, then `m.f()`; also `from pkg import m`, then `m.f()`. */
function fromImportedModule(index: ProjectIndex, file: IndexedFile, receiver: string, name: string): Sym[] {
  for (const imp of file.table.imports) {
    if (imp.local !== receiver) continue;
    let module = imp.module;
    if (imp.imported !== undefined) {
      if (file.grammar !== "python") continue;
      module = module.endsWith(".") ? module + imp.imported : `${module}.${imp.imported}`;
    }
    const found = moduleFiles(index, file, module).flatMap((f) => f.symbols.filter((s) => s.rec.parent < 0 && s.rec.name === name));
    if (found.length > 0) return found;
  }
  return [];
}

/** The project files a module specifier names, as seen from `file`. */
export function moduleFiles(index: ProjectIndex, file: IndexedFile, module: string): IndexedFile[] {
  switch (file.grammar) {
    case "python":
      return pythonModuleFiles(index, file, module);
    case "javascript":
    case "typescript":
    case "tsx":
      return jsModuleFiles(index, file, module);
    case "go":
      return goPackageFiles(index, module);
    default:
      return [];
  }
}

function normalize(parts: string[]): string | undefined {
  const out: string[] = [];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === "..") {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(p);
  }
  return out.join("/");
}

function pythonModuleFiles(index: ProjectIndex, file: IndexedFile, module: string): IndexedFile[] {
  const dots = /^\.*/.exec(module)![0].length;
  const rest = module.slice(dots).split(".").filter((p) => p !== "");
  const pick = (base: string): IndexedFile[] => {
    const out: IndexedFile[] = [];
    for (const rel of [`${base}.py`, `${base}.pyi`, `${base}/__init__.py`]) {
      const f = index.byRel.get(rel.replace(/^\//, ""));
      if (f) out.push(f);
    }
    return out;
  };
  if (dots > 0) {
    const up = Array.from({ length: dots - 1 }, () => "..");
    const base = normalize([...file.dir.split("/"), ...up, ...rest]);
    if (base === undefined) return [];
    return rest.length === 0 ? pick(base === "" ? "" : base).filter((f) => f.rel.endsWith("__init__.py")) : pick(base);
  }
  const tail = rest.join("/");
  if (tail === "") return [];
  // Absolute: the package may sit under a source folder (src/pkg/mod.py): match by suffix.
  return index.files.filter(
    (f) =>
      f.grammar === "python" &&
      [`${tail}.py`, `${tail}.pyi`, `${tail}/__init__.py`].some((suffix) => f.rel === suffix || f.rel.endsWith(`/${suffix}`)),
  );
}

function jsModuleFiles(index: ProjectIndex, file: IndexedFile, module: string): IndexedFile[] {
  if (!module.startsWith("./") && !module.startsWith("../") && module !== "." && module !== "..") return [];
  const base = normalize([...file.dir.split("/"), ...module.split("/")]);
  if (base === undefined) return [];
  const candidates = [base];
  const ext = /\.[cm]?[jt]sx?$/.exec(base)?.[0];
  if (ext) {
    // ESM TypeScript imports name the emitted file: "./x.js" is ./x.ts in the sources.
    const stem = base.slice(0, -ext.length);
    for (const e of JS_EXTENSIONS) candidates.push(stem + e);
  }
  for (const e of JS_EXTENSIONS) candidates.push(base + e, `${base}/index${e}`);
  for (const c of candidates) {
    const f = index.byRel.get(c.replace(/^\//, ""));
    if (f) return [f];
  }
  return [];
}

/** Go import paths end with the package folder: the longest suffix that is a project folder wins. */
function goPackageFiles(index: ProjectIndex, module: string): IndexedFile[] {
  const parts = module.split("/");
  for (let k = parts.length; k >= 1; k--) {
    const dir = parts.slice(parts.length - k).join("/");
    const files = index.files.filter((f) => f.grammar === "go" && (f.dir === dir || f.dir.endsWith(`/${dir}`)));
    if (files.length > 0) return files;
  }
  return [];
}
