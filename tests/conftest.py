"""Shared fixtures. ``comfy_server``: one real ComfyUI 0.3.75 per test session, with only this pack loaded.

Tests must not put an ``__init__.py`` in tests/: the repository root is itself a package (the ComfyUI pack), and
pytest would then import the tests as part of it, running the pack's ``__init__`` outside ComfyUI.
"""

import os

import pytest

import comfy_harness


def require(condition: bool, why: str) -> None:
    """Skip a test whose tool is missing on a developer's machine, saying why — but fail under CI (``CI`` set), where
    ``make test`` has installed everything: there a missing tool is a broken setup, not a reason to pass."""
    if not condition:
        (pytest.fail if os.environ.get("CI") else pytest.skip)(why)


@pytest.fixture(scope="session")
def comfy_server(tmp_path_factory):
    """A started ``comfy_harness.ComfyServer`` (see there for its helpers), stopped after the session.

    Its base directory is new for each session (pytest keeps the last few under /tmp/pytest-of-<user>/, log
    included). If ComfyUI is not prepared in .cache/ComfyUI yet, this prepares it first (needs PyPI).
    """
    server = comfy_harness.start_server(tmp_path_factory.mktemp("comfyui"))
    try:
        yield server
    finally:
        server.stop()
