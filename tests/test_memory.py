"""The allocator setting of the batch commands (generator.memory)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from generator.memory import keep_freed_memory


@pytest.mark.skipif(sys.platform != "linux" or platform.libc_ver()[0] != "glibc",
                    reason="mallopt is glibc's")
def test_glibc_keeps_freed_memory() -> None:
    # In a child: the setting lasts for the whole process.
    code = "from generator.memory import keep_freed_memory; print(keep_freed_memory())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "True"


def test_other_platforms_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert keep_freed_memory() is False
