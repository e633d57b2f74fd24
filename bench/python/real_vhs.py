#!/usr/bin/env python3
"""The real tldr-swinton `tldrs vhs` handler (modules/vhs/cli.py: its argparse parser and
handle()) on the real core store (modules/core/vhs_store.py, the tldrs_state.db one), for the
cold-process rows of `npm run bench cli`. The package __init__ files are skipped: they import
tree-sitter and pygments. So this is a lower bound of the real `tldrs vhs ...`: the real CLI
does all of this and more.

  real_vhs.py SRC vhs put FILE | vhs cat REF | vhs has REF | vhs info REF
SRC: the tldr-swinton checkout's src/tldr_swinton folder. The store: TLDRS_VHS_HOME.
"""
import argparse
import sys
import types

SRC = sys.argv[1]
for name, path in (("tldr_swinton", SRC), ("tldr_swinton.modules", SRC + "/modules"), ("tldr_swinton.modules.core", SRC + "/modules/core")):
    module = types.ModuleType(name)
    module.__path__ = [path]
    sys.modules[name] = module
from tldr_swinton.modules.core import vhs_store  # noqa: E402
from tldr_swinton.modules.vhs import cli as vhs_cli  # noqa: E402

vhs_cli.Store = vhs_store.Store
parser = argparse.ArgumentParser(prog="tldrs")
vhs_cli.add_subparser(parser.add_subparsers(dest="command"))
sys.exit(vhs_cli.handle(parser.parse_args(sys.argv[2:])))
