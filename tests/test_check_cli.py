"""`python -m llm_sketch parse` and `check` as a user runs them (a real subprocess)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "llm_sketch" / "samples" / "blue_circle_red_triangle.svg"


def run(*args):
    return subprocess.run([sys.executable, "-m", "llm_sketch", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def test_parse_prints_constraints_json():
    out = run("parse", "three yellow stars over two blue squares")
    assert out.returncode == 0
    data = json.loads(out.stdout)
    assert [(o["count"], o["color"], o["label"]) for o in data["objects"]] == [(3, "yellow", "star"), (2, "blue", "square")]
    assert data["relations"] == [{"subject": "o1", "relation": "above", "object": "o2"}]


def test_parse_jsonl_keeps_order(tmp_path):
    prompts = ["a cat left of a dog", "two birds", "a photo of a red car and a blue bench"]
    source = tmp_path / "prompts.jsonl"
    source.write_text("\n".join(json.dumps({"prompt": p}) for p in prompts) + "\n")
    out = run("parse", "--jsonl", str(source))
    assert out.returncode == 0
    assert [json.loads(line)["prompt"] for line in out.stdout.splitlines()] == prompts


def test_check_exit_codes(tmp_path):
    layout = tmp_path / "layout.json"
    layout.write_text(run("layout", str(SAMPLE)).stdout)
    good = run("check", str(layout), "--prompt", "a blue circle on the left and a red triangle on the right")
    assert good.returncode == 0 and json.loads(good.stdout)["passed"] is True
    bad = run("check", str(layout), "--prompt", "a red triangle left of a blue circle", "--rule", "visor")
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert report["rule"] == "visor" and report["passed"] is False


def test_bad_inputs_are_one_line_errors(tmp_path):
    junk = tmp_path / "junk.json"
    junk.write_text("not json")
    for args in (("check", str(junk), "--prompt", "a cat"), ("check", str(tmp_path / "missing.json"), "--prompt", "x"),
                 ("parse", "--jsonl", str(junk)), ("parse",)):
        out = run(*args)
        assert out.returncode == 2, args
        assert out.stderr.startswith("error:") and len(out.stderr.strip().splitlines()) == 1, out.stderr
        assert "Traceback" not in out.stderr
