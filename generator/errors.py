"""One error hierarchy. Messages are Simplified Chinese: staff read them.

Every error the CLI can show derives from PortalError, a click.ClickException, so the CLI
prints the message and exits non-zero without a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from generator.problems import Problem


class PortalError(click.ClickException):
    """Base of every expected failure; `message` is shown to staff as is.

    `problems` holds the structured problems behind the message when there are any, so a
    caller that answers in JSON (validate --format json, the intake service) need not parse
    the text.
    """

    exit_code = 1

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[Problem, ...] = tuple(problems)

    def as_dict(self) -> dict[str, Any]:
        """The error as JSON-ready data: kind, message and the structured problems."""
        return {"error": type(self).__name__, "message": self.message,
                "problems": [p.as_dict() for p in self.problems]}

    def format_message(self) -> str:
        return self.message

    def show(self, file: IO[Any] | None = None) -> None:
        """Print "错误：<message>" to stderr (click's own prefix is English)."""
        click.echo(f"错误：{self.format_message()}", file=file or sys.stderr)


class ConfigError(PortalError):
    """A configuration file (mkdocs.yml, data/metrics.yml, a profile...) is wrong."""


class DataError(PortalError):
    """Input data cannot be read or does not meet the data contract."""


class PrivacyError(PortalError):
    """The privacy gate found something that must not be published."""


class BuildError(PortalError):
    """Rendering or the mkdocs build failed."""
