"""Harness for the broken-input corpus: run a command, assert a clean Chinese failure.

Every corpus case asserts the exit code, the exact Chinese message, that no traceback (or
Python exception text) reached the user, and that the files it names as "untouched" (the
previous site, the inputs) are byte-for-byte what they were.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main


def tree_digest(path: Path) -> dict[str, str]:
    """sha256 of every file under `path` (or of `path` itself when it is a file)."""
    if path.is_file():
        return {"": hashlib.sha256(path.read_bytes()).hexdigest()}
    return {
        p.relative_to(path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*")) if p.is_file()
    }


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    output: str


def run_cli(args: Sequence[str], *, untouched: Sequence[Path] = (),
            env: dict[str, str] | None = None) -> CliResult:
    """Invoke `ecoportal ARGS`; fail the test on a traceback or if any `untouched` changed."""
    before = {p: tree_digest(p) for p in untouched if p.exists()}
    result = CliRunner().invoke(main, list(args), env=env)
    output = result.output
    assert "Traceback" not in output, output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {type(result.exception).__name__}: {output}") \
            from result.exception
    for path, digest in before.items():
        assert path.exists() and tree_digest(path) == digest, f"{path} was changed"
    return CliResult(result.exit_code, output)


def assert_refused(result: CliResult, message: str) -> None:
    """Exit 1 and exactly `message` as the output (after stripping surrounding blanks)."""
    assert result.exit_code == 1, result.output
    assert result.output.strip() == message.strip(), result.output
