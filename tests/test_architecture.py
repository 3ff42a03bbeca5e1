"""The house rules, checked: the flow only points down, and modules share only public names.

docs/architecture.md draws the layers; pyproject.toml's [tool.importlinter] states them as
contracts. A new import that points up (the store importing extraction, charts parsing text,
a cycle between two outputs) fails here before it lands.
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "claimkit"


def test_the_import_contracts_hold():
    from importlinter.cli import lint_imports

    # lint_imports reads pyproject.toml from the working folder and returns 0 when every
    # contract is kept (it prints the broken ones with the import chain that breaks them).
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        assert lint_imports() == 0


def test_the_contracts_would_catch_an_upward_import(tmp_path):
    """The contract is not vacuous: a store module importing extraction breaks it."""
    from importlinter.cli import lint_imports

    rogue = PACKAGE / "store" / "_rogue_upward_import.py"
    rogue.write_text("from claimkit.extract import extract_docs  # would point upward\n")
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(ROOT)
            assert lint_imports(no_cache=True) != 0
    finally:
        rogue.unlink()


def private_imports(path: Path) -> list[str]:
    """``from claimkit.x import _name`` lines of one file: a private name crossing a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("claimkit"):
            found += [f"{path}:{node.lineno}: {node.module}.{a.name}"
                      for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    return found


def test_no_module_imports_a_private_name_from_another():
    files = [*PACKAGE.rglob("*.py"), *(ROOT / "tests").glob("*.py"),
             *(ROOT / "benchmarks").glob("*.py"), *(ROOT / "scripts").glob("*.py")]
    offenders = [line for f in files for line in private_imports(f)]
    assert offenders == []


def test_the_private_import_check_sees_one(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("import os\nfrom claimkit.engines.local import _describe, run_extraction\n")
    assert private_imports(sample) == [f"{sample}:2: claimkit.engines.local._describe"]


# spaCy makes a new Token object on every access, so ``tok.head is tok`` is never true: tokens
# are compared by index. Names that hold tokens in the code:
TOKEN_NAMES = r"(tok|token|subj|verb|head|cur|at|t|c|clause|noun|cue|child|root)"
TOKEN_IDENTITY = re.compile(
    rf"(\b{TOKEN_NAMES}|\w+\[-?\d+\])(\.head)?\s+is\s+(not\s+)?{TOKEN_NAMES}(\.head)?\b(?!\s*\()")


def token_identity_tests(path: Path) -> list[str]:
    return [f"{path.name}:{n}: {line.strip()}" for n, line in
            enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if TOKEN_IDENTITY.search(line.split("#")[0])]


def test_no_module_compares_spacy_tokens_by_identity():
    offenders = [o for f in PACKAGE.rglob("*.py") for o in token_identity_tests(f)]
    assert offenders == []


def test_the_token_identity_check_sees_one(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("ok = tok.i == verb.i or x is None\nbad = verb.head is verb\n"
                      "worse = [t for t in c if t is tok or q is None]\nworst = block[0] is not subj\n")
    assert [line.split(":")[1] for line in token_identity_tests(sample)] == ["2", "3", "4"]


@pytest.mark.slow  # eight fresh interpreters
@pytest.mark.parametrize("module", ["claimkit", "claimkit.store", "claimkit.export",
                                    "claimkit.cli", "claimkit.charts", "claimkit.rank_matches",
                                    "claimkit.matching.index", "claimkit.factchecks"])
def test_modules_that_do_not_parse_text_load_without_spacy(module):
    # A fresh interpreter: this test process has long imported spaCy.
    code = f"import sys, {module}; print('spacy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "False"
