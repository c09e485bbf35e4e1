"""The direction of imports: tui -> services -> store/domain, never back; Textual only in tui."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def lint_imports_command() -> list[str]:
    beside_python = Path(sys.executable).parent / "lint-imports"
    found = str(beside_python) if beside_python.exists() else shutil.which("lint-imports")
    assert found, "lint-imports is missing: pip install -e '.[test]'"
    return [found]


def test_import_linter_contracts_are_kept():
    result = subprocess.run(
        [*lint_imports_command(), "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    # Every contract in pyproject.toml was checked, not silently skipped.
    assert result.stdout.count(" KEPT") == 6, result.stdout


def test_the_core_and_the_cli_load_without_textual():
    """Services, store, domain, CLI, settings and worker import cleanly in a fresh interpreter
    that never loads Textual, so scripts, cron and the worker stay light."""
    probe = textwrap.dedent(
        """
        import importlib, importlib.util, pkgutil, sys

        loaded = []
        for package in ("services", "store", "domain", "cli"):
            root = importlib.import_module(f"nextcars_tui.{package}")
            loaded.append(root.__name__)
            for module in pkgutil.walk_packages(root.__path__, root.__name__ + "."):
                if module.name.endswith(".migrations.env"):
                    continue  # Alembic's script, run only by Alembic with a connection
                importlib.import_module(module.name)
                loaded.append(module.name)
        for single in ("config", "clock", "worker"):
            if importlib.util.find_spec(f"nextcars_tui.{single}") is not None:
                importlib.import_module(f"nextcars_tui.{single}")
                loaded.append(single)
        assert "nextcars_tui.services.booking" in loaded, loaded
        assert "nextcars_tui.store.database" in loaded, loaded
        textual = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
        assert not textual, f"textual was loaded: {textual[:5]}"
        print(len(loaded))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert int(result.stdout.strip()) >= 20


def test_services_do_not_import_the_database_library_directly():
    """Belt and braces beside import-linter: no service module names sqlmodel or sqlalchemy."""
    offenders = [
        str(path.relative_to(REPO))
        for folder in ("services", "domain", "cli")
        for path in (REPO / "nextcars_tui" / folder).rglob("*.py")
        if any(
            line.lstrip().startswith((f"import {lib}", f"from {lib}"))
            for line in path.read_text(encoding="utf-8").splitlines()
            for lib in ("sqlmodel", "sqlalchemy", "textual")
        )
    ]
    assert offenders == []


def _writes_to_stdout(path: Path) -> list[str]:
    """Calls in a module that write to stdout or stderr themselves: print(), sys.stdout.write,
    sys.stderr.write."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "print":
            found.append(f"{path.name}:{node.lineno} print()")
        elif (
            isinstance(func, ast.Attribute)
            and func.attr == "write"
            and isinstance(func.value, ast.Attribute)
            and func.value.attr in ("stdout", "stderr")
        ):
            found.append(f"{path.name}:{node.lineno} sys.{func.value.attr}.write")
    return found


def test_the_cli_prints_only_through_its_one_exit():
    """Stored text is made inert where the CLI's text leaves (cli/output.py for stdout, the
    error line in cli/__init__.py): a command printing by itself would pass it on raw. The
    sshd block of ssh-config holds paths of this machine, not stored text."""
    allowed = {"output.py", "__init__.py", "ssh_config.py"}
    stray = [
        call
        for path in sorted((REPO / "nextcars_tui" / "cli").glob("*.py"))
        if path.name not in allowed
        for call in _writes_to_stdout(path)
    ]
    assert stray == []
    # The check finds what it looks for.
    assert _writes_to_stdout(REPO / "nextcars_tui" / "cli" / "output.py")
