"""The project's own metadata: what the Comfy Registry reads (pyproject.toml) says what requirements.txt says."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _normal(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).replace("'", '"').lower()


def test_pyproject_dependencies_mirror_requirements_txt():
    listed = [line.split("#", 1)[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    listed = [_normal(line) for line in listed if line]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert [_normal(d) for d in project["dependencies"]] == listed
