"""One error hierarchy. Messages are Simplified Chinese: staff read them.

Every error the CLI can show derives from PortalError, a click.ClickException, so the CLI
prints the message and exits non-zero without a traceback.
"""

from __future__ import annotations

from typing import IO, Any

import click


class PortalError(click.ClickException):
    """Base of every expected failure; `message` is shown to staff as is."""

    exit_code = 1

    def format_message(self) -> str:
        return self.message

    def show(self, file: IO[Any] | None = None) -> None:
        """Print "错误：<message>" to stderr (click's own prefix is English)."""
        click.echo(f"错误：{self.format_message()}", file=file or click.get_text_stream("stderr"))


class ConfigError(PortalError):
    """A configuration file (mkdocs.yml, data/metrics.yml, a profile...) is wrong."""


class DataError(PortalError):
    """Input data cannot be read or does not meet the data contract."""


class PrivacyError(PortalError):
    """The privacy gate found something that must not be published."""


class BuildError(PortalError):
    """Rendering or the mkdocs build failed."""
