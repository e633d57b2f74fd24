#!/usr/bin/env python3
"""The real tldr-swinton CLI (tldr_swinton.cli:main, all of its imports), for the cold-process
rows of `npm run bench cli`, with the third-party packages that are not installed here
(tree-sitter and its grammars, pygments, pathspec, ast-grep) replaced by empty stand-ins: a
lower bound of the real `tldrs ...` (what those packages cost to import is left out). `tldrs vhs`
runs on the core store (modules/core/vhs_store.py, the tldrs_state.db one), as tldrs.

  real_cli.py SRC ARGS...   (SRC: the checkout's src folder; the store: TLDRS_VHS_HOME)
"""
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types

SRC = sys.argv[1]
sys.path.insert(0, SRC)
MISSING = {"pygments_tldr", "pygments", "pathspec", "ast_grep_py", "tree_sitter", "tree_sitter_typescript", "tree_sitter_javascript", "tree_sitter_python", "tree_sitter_go", "tree_sitter_rust", "tree_sitter_java", "tree_sitter_c", "tree_sitter_cpp", "tree_sitter_ruby"}


class Anything(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return type(name, (), {"__init__": lambda self, *a, **k: None, "__call__": lambda self, *a, **k: None})


class StandIns(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        top = name.split(".")[0]
        if top in MISSING and importlib.machinery.PathFinder.find_spec(top) is None:
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec):
        module = Anything(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


sys.meta_path.append(StandIns())
from tldr_swinton.modules.core import vhs_store  # noqa: E402
from tldr_swinton.modules.vhs import cli as vhs_cli  # noqa: E402

vhs_cli.Store = vhs_store.Store
from tldr_swinton.cli import main  # noqa: E402

sys.argv = ["tldrs", *sys.argv[2:]]
main()
