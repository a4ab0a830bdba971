"""Formatting is part of the build: every C file is as .clang-format writes it."""

import shutil
import subprocess

import pytest

from style_support import REPO, c_sources


def test_every_c_file_is_formatted_as_clang_format_writes_it():
    clang_format = shutil.which("clang-format")
    if not clang_format:
        pytest.fail("clang-format is missing: ./bulkhead deps installs it")
    files = [str(p.relative_to(REPO)) for p in c_sources()]
    assert len(files) > 100, f"found only {len(files)} C files: is this the repository?"
    result = subprocess.run([clang_format, "--dry-run", "-Werror", "--style=file", *files],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    unformatted = sorted({line.split(":")[0] for line in result.stderr.splitlines()
                          if ": error:" in line})
    assert result.returncode == 0, (
        f"{len(unformatted)} file(s) differ from .clang-format "
        f"(fix with: clang-format -i FILE): {', '.join(unformatted[:20])}\n"
        + result.stderr[:3000])
