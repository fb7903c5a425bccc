"""A chat client for any OpenAI-compatible server (OpenAI, Ollama, llama.cpp, vLLM, LM Studio, …) on the ``openai``
package, with what a sketching node needs around it: provider presets and named profiles, an API key that never
passes through a widget, retries that honour ``Retry-After``, streaming with cancel, and the reply cache.

Where the API key comes from (first found):

1. ``LLM_SKETCH_API_KEY`` (this pack's own variable);
2. the ``api_key`` (or ``api_key_env``: the name of a variable holding it) of the profile the node names;
3. ``OPENAI_API_KEY``;
4. a top-level ``api_key`` in the config file ``llm_sketch.toml``.

The config file (git-ignored; found at ``LLM_SKETCH_CONFIG``, else ``llm_sketch.toml`` in the pack's folder, else in
the user config folder, e.g. ``~/.config/llm-sketch/llm_sketch.toml``) holds profiles a widget may *name*::

    api_key = "sk-…"                    # optional: used when no variable is set
    [profiles.gpt]
    provider = "openai"                 # a preset, or base_url = "https://…/v1"
    model = "gpt-4o-mini"
    [profiles.desk]
    base_url = "http://192.168.1.20:11434/v1"
    model = "qwen2.5-coder:14b"
    api_key_env = "DESK_KEY"            # or api_key = "…"; temperature, max_tokens, timeout too

A key is sent only where it belongs: the provider's own address (api.openai.com for ``openai``), this machine
(loopback), a profile's ``base_url``, or a host listed in ``LLM_SKETCH_KEY_HOSTS`` (comma-separated). A workflow
someone shares can set a ``base_url`` widget, and must not be able to collect the key of whoever runs it.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import logging
import os
import random
import re
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from .errors import SketchError

log = logging.getLogger("llm_sketch.llm")

PACK_DIR = Path(__file__).resolve().parent.parent
CONFIG_NAME = "llm_sketch.toml"


@dataclass(frozen=True)
class Preset:
    base_url: str | None
    needs_key: bool
    model: str  # a sensible default model name ("" = the server's only model)
    hint: str  # what to check when nothing answers


PRESETS: dict[str, Preset] = {
    "openai": Preset("https://api.openai.com/v1", True, "gpt-4o-mini", "check your network"),
    "ollama": Preset("http://127.0.0.1:11434/v1", False, "qwen2.5-coder:7b",
                     "is Ollama running (`ollama serve`) and the model pulled (`ollama pull MODEL`)?"),
    "llama.cpp": Preset("http://127.0.0.1:8080/v1", False, "default",
                        "is llama.cpp's server running (`llama-server -m MODEL.gguf --port 8080`)?"),
    "vllm": Preset("http://127.0.0.1:8000/v1", False, "",
                   "is vLLM running (`vllm serve MODEL`)?"),
    "lmstudio": Preset("http://127.0.0.1:1234/v1", False, "",
                       "is LM Studio's local server started (Developer tab) with a model loaded?"),
    "custom": Preset(None, False, "", "is the server at that address running?"),
}
CAUSES = ("config", "auth", "rate_limit", "timeout", "server", "connection", "bad_request", "bad_response",
          "cancelled")
_PROFILE_KEYS = {"provider", "base_url", "model", "temperature", "max_tokens", "timeout", "retries", "stream",
                 "api_key", "api_key_env"}


class LLMError(SketchError):
    """A request could not be made or answered. ``cause`` is one of ``CAUSES``; the message says what to do."""

    def __init__(self, message: str, cause: str = "server"):
        super().__init__(message)
        self.cause = cause


class Cancelled(LLMError):
    def __init__(self, message: str = "cancelled"):
        super().__init__(message, "cancelled")


# ---- configuration ----------------------------------------------------------------------------------------------
def user_config_dir() -> Path:
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming") / "llm-sketch"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "llm-sketch"
    return Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config") / "llm-sketch"


def config_path() -> Path | None:
    """The config file in use: ``LLM_SKETCH_CONFIG``, else the pack folder's, else the user config folder's."""
    explicit = os.environ.get("LLM_SKETCH_CONFIG", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    for candidate in (PACK_DIR / CONFIG_NAME, user_config_dir() / CONFIG_NAME):
        if candidate.is_file():
            return candidate
    return None


def load_config() -> dict:
    """The config file's contents ({} when there is none). Errors name the file and never quote its values."""
    path = config_path()
    if path is None or not path.is_file():
        if path is not None and os.environ.get("LLM_SKETCH_CONFIG"):
            raise LLMError(f"LLM_SKETCH_CONFIG names {path}, which is not a file", "config")
        return {}
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise LLMError(f"reading {path} needs Python 3.11+ (tomllib) or the tomli package", "config") from None
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise LLMError(f"cannot read the config file {path}: {exc.strerror or exc}", "config") from None
    except tomllib.TOMLDecodeError as exc:
        # the decoder's message names a line and column, never the text there
        raise LLMError(f"the config file {path} is not valid TOML ({str(exc).splitlines()[0][:120]})",
                       "config") from None
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict) or not all(isinstance(p, dict) for p in profiles.values()):
        raise LLMError(f"{path}: profiles must be tables, e.g. [profiles.gpt]", "config")
    for name, profile in profiles.items():
        unknown = sorted(set(profile) - _PROFILE_KEYS)
        if unknown:
            raise LLMError(f"{path}: profile {name!r} has unknown setting(s) {', '.join(unknown)} "
                           f"(use {', '.join(sorted(_PROFILE_KEYS))})", "config")
        if name in PRESETS:
            raise LLMError(f"{path}: profile {name!r} has the name of a provider preset: rename it", "config")
    return data


def profile_names() -> list[str]:
    """The profiles a node may name (an unreadable config file lists none; using it shows the error)."""
    try:
        return sorted(load_config().get("profiles", {}))
    except LLMError as exc:
        log.warning("LLM Sketch: %s", exc)
        return []


def provider_names() -> list[str]:
    return list(PRESETS) + profile_names()


@dataclass(frozen=True)
class LLMSettings:
    """Where and how to ask; never the API key (this object is logged and written into transcripts)."""

    base_url: str
    model: str
    provider: str = "custom"
    profile: str | None = None
    temperature: float = 0.7
    max_tokens: int = 4096
    timeout: float = 120.0  # seconds the server may stay silent (connect, and between streamed pieces)
    retries: int = 3  # after the first request: on 429, 5xx, timeouts, broken replies
    stream: bool = True
    max_retry_wait: float = 60.0  # a Retry-After longer than this ends the run instead
    backoff: float = 1.0  # first wait (s) without Retry-After; doubles each retry

    def public(self) -> dict:
        return asdict(self)


def resolve_settings(provider: str = "openai", model: str = "", base_url: str = "", **overrides) -> LLMSettings:
    """A preset or profile name, with optional model / base URL / parameter overrides (empty = the default)."""
    provider = (provider or "openai").strip()
    profile_name = None
    values: dict = {}
    if provider not in PRESETS:
        profiles = load_config().get("profiles", {})
        if provider not in profiles:
            known = ", ".join(list(PRESETS) + sorted(profiles))
            raise LLMError(f"unknown provider or profile {provider!r} (known: {known}; profiles live in "
                           f"{CONFIG_NAME})", "config")
        profile_name = provider
        values = {k: v for k, v in profiles[provider].items() if k not in ("api_key", "api_key_env")}
        provider = str(values.pop("provider", "custom"))
        if provider not in PRESETS:
            raise LLMError(f"profile {profile_name!r}: unknown provider {provider!r} "
                           f"(use one of {', '.join(PRESETS)})", "config")
    preset = PRESETS[provider]
    url = (base_url or "").strip() or str(values.pop("base_url", "") or "") or preset.base_url
    values.pop("base_url", None)
    if not url:
        raise LLMError("the custom provider needs a base URL, e.g. http://127.0.0.1:8080/v1", "config")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LLMError(f"the base URL must be an http(s) address such as http://127.0.0.1:11434/v1, got {url!r}",
                       "config")
    chosen_model = (model or "").strip() or str(values.pop("model", "") or "") or preset.model
    values.pop("model", None)
    if not chosen_model:
        raise LLMError(f"name a model for {provider} (the server's model id, e.g. what /v1/models lists)", "config")
    settings = {k: v for k, v in values.items() if k in LLMSettings.__dataclass_fields__}
    settings.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return LLMSettings(base_url=url.rstrip("/"), model=chosen_model, provider=provider, profile=profile_name,
                           **settings)
    except TypeError as exc:
        raise LLMError(f"bad LLM setting: {exc}", "config") from None


# ---- the API key ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ApiKey:
    value: str | None = field(repr=False)
    source: str  # where it came from (a variable or the config file), for messages; "" when none
    withheld: str = ""  # why a key that exists was not sent to this address

    def __repr__(self) -> str:
        return f"ApiKey(source={self.source!r}, withheld={self.withheld!r})"


def _loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def key_allowed(settings: LLMSettings, profile_url: str | None = None) -> bool:
    """Whether a key may go to ``settings.base_url`` (see the module docstring)."""
    host = (urlsplit(settings.base_url).hostname or "").lower()
    if not host:
        return False
    if _loopback(host):
        return True
    preset = PRESETS.get(settings.provider)
    allowed = {(urlsplit(preset.base_url).hostname or "").lower()} if preset and preset.base_url else set()
    if profile_url:
        allowed.add((urlsplit(profile_url).hostname or "").lower())
    allowed.update(h.strip().lower() for h in os.environ.get("LLM_SKETCH_KEY_HOSTS", "").split(",") if h.strip())
    return host in allowed


def resolve_api_key(settings: LLMSettings) -> ApiKey:
    config: dict = {}
    try:
        config = load_config()
    except LLMError:
        if settings.profile:
            raise
    profile = config.get("profiles", {}).get(settings.profile or "", {}) if settings.profile else {}
    found: tuple[str | None, str] = (None, "")
    candidates = [(os.environ.get("LLM_SKETCH_API_KEY"), "LLM_SKETCH_API_KEY")]
    if profile.get("api_key"):
        candidates.append((str(profile["api_key"]), f"profile {settings.profile!r} in {CONFIG_NAME}"))
    if profile.get("api_key_env"):
        name = str(profile["api_key_env"])
        candidates.append((os.environ.get(name), f"{name} (named by profile {settings.profile!r})"))
    candidates.append((os.environ.get("OPENAI_API_KEY"), "OPENAI_API_KEY"))
    if config.get("api_key"):
        candidates.append((str(config["api_key"]), CONFIG_NAME))
    for value, source in candidates:
        if value and value.strip():
            found = (value.strip(), source)
            break
    if found[0] is None:
        return ApiKey(None, "")
    if not key_allowed(settings, profile.get("base_url") if profile else None):
        host = urlsplit(settings.base_url).hostname
        return ApiKey(None, found[1], withheld=(
            f"the key from {found[1]} was not sent to {host}: keys go only to the provider's own address, this "
            f"machine, a profile's base_url, or hosts listed in LLM_SKETCH_KEY_HOSTS"))
    return ApiKey(found[0], found[1])


_KEYLIKE = re.compile(r"(?i)\b(?:sk|pk|rk|key|org|proj)-[A-Za-z0-9_\-*.]{4,}|\bBearer\s+\S+")


def redact(text: str, *secrets: str | None) -> str:
    """``text`` with the given secrets and anything shaped like an API key replaced by ``[redacted]``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return _KEYLIKE.sub("[redacted]", text)


# ---- replies ----------------------------------------------------------------------------------------------------
@dataclass
class Completion:
    text: str
    finish_reason: str | None = None
    refusal: str | None = None
    usage: dict | None = None
    cached: bool = False
    requests: int = 0  # HTTP requests this completion took (0 when cached; retries included)
    elapsed: float = 0.0
    truncated: str | None = None  # why the reply is incomplete (a dropped stream, max_tokens), or None
    attempts: list = field(default_factory=list)  # what each failed request met, in words

    def to_cache(self) -> dict:
        return {"text": self.text, "finish_reason": self.finish_reason, "refusal": self.refusal,
                "usage": self.usage, "truncated": self.truncated}


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None, cause: str = "server"):
        super().__init__(reason)
        self.reason, self.wait, self.cause = reason, wait, cause


def retry_after(headers) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date); None if absent."""
    if headers is None:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return max(0.0, float(ms) / 1000)
    except (TypeError, ValueError):
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None


def _server_message(exc) -> str:
    body = getattr(exc, "body", None)
    message = None
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
    if not message:
        message = getattr(exc, "message", None) or str(exc)
    return " ".join(str(message).split())[:300]


class LLMClient:
    """One server and model (``LLMSettings``). ``complete(messages, seed)`` → ``Completion``; thread-safe."""

    def __init__(self, settings: LLMSettings, api_key: ApiKey | None = None, cache=None,
                 sleep: Callable[[float], None] | None = None):
        self.settings = settings
        self._key = resolve_api_key(settings) if api_key is None else api_key
        if PRESETS.get(settings.provider, PRESETS["custom"]).needs_key and not self._key.value \
                and not self._key.withheld:
            raise LLMError(f"{settings.provider} needs an API key: set LLM_SKETCH_API_KEY (or OPENAI_API_KEY) in "
                           f"the environment ComfyUI or this command starts from, or give a profile an api_key in "
                           f"{CONFIG_NAME}. Never put a key in a widget: widgets are saved in workflows and in "
                           f"every image's metadata.", "auth")
        self.cache = cache
        self._sleep = sleep
        self._client = None
        self._lock = threading.Lock()
        self.requests = 0  # HTTP requests made by this client, all threads together
        # OpenAI's reasoning models refuse max_tokens (they take max_completion_tokens) and any temperature but
        # the default: learnt from their 400 reply, once per client
        self._token_param = "max_tokens"
        self._default_temperature_only = False

    def __repr__(self) -> str:
        return f"LLMClient({self.settings.provider}, {self.settings.base_url}, {self.settings.model})"

    @property
    def key_source(self) -> str:
        return self._key.source

    def _openai(self):
        with self._lock:
            if self._client is None:
                try:
                    import openai
                except ImportError:
                    raise LLMError("the LLM stage needs the openai package: pip install -r requirements.txt (with "
                                   "ComfyUI's own Python)", "config") from None

                # one client for every thread; its own retries are off (ours honour Retry-After and cancel)
                self._client = openai.OpenAI(base_url=self.settings.base_url, api_key=self._key.value or "no-key",
                                             timeout=self.settings.timeout, max_retries=0)
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def redact(self, text: str) -> str:
        return redact(text, self._key.value)

    # -- one completion, with retries and the cache
    def params(self, seed: int | None) -> dict:
        return {"temperature": self.settings.temperature, "max_tokens": self.settings.max_tokens,
                "seed": None if seed is None else int(seed) % 2**31}

    def cache_key(self, messages: list[dict], seed: int | None) -> str:
        from .cache import request_key

        return request_key(self.settings.base_url, self.settings.model, messages, self.params(seed))

    def complete(self, messages: list[dict], seed: int | None = None,
                 on_text: Callable[[str], None] | None = None,
                 cancel: Callable[[], bool] | None = None) -> Completion:
        """Ask once (retrying transient failures). ``on_text(piece)`` gets streamed text as it arrives;
        ``cancel()`` returning True stops the request (``Cancelled``)."""
        started = time.monotonic()
        key = self.cache_key(messages, seed) if self.cache is not None else None
        if key is not None:
            hit = self.cache.get(key)
            if hit is not None and isinstance(hit.get("text"), str):
                if on_text and hit["text"]:
                    on_text(hit["text"])
                return Completion(text=hit["text"], finish_reason=hit.get("finish_reason"),
                                  refusal=hit.get("refusal"), usage=hit.get("usage"), cached=True, requests=0,
                                  elapsed=time.monotonic() - started, truncated=hit.get("truncated"))
        attempts: list[str] = []
        tries = max(0, int(self.settings.retries)) + 1
        for attempt in range(tries):
            if cancel and cancel():
                raise Cancelled()
            with self._lock:
                self.requests += 1
            try:
                completion = self._once(messages, seed, on_text, cancel)
            except _Retry as retry:
                attempts.append(retry.reason)
                log.info("LLM Sketch: request %d/%d to %s failed: %s", attempt + 1, tries,
                         self.settings.base_url, retry.reason)
                if attempt + 1 >= tries:
                    raise LLMError(f"{self._where()} failed {tries} time{'s' * (tries > 1)}: "
                                   + "; ".join(attempts), retry.cause) from None
                wait = retry.wait
                if wait is None:
                    wait = min(30.0, self.settings.backoff * 2 ** attempt) * (1 + 0.25 * random.random())
                elif wait > self.settings.max_retry_wait:
                    raise LLMError(f"{self._where()}: {retry.reason}; the server asks to wait {wait:.0f} s, longer "
                                   f"than the {self.settings.max_retry_wait:.0f} s this waits: try again later, or "
                                   f"use fewer candidates", retry.cause) from None
                self._wait(wait, cancel)
                continue
            completion.requests = attempt + 1
            completion.attempts = attempts
            completion.elapsed = time.monotonic() - started
            if key is not None and (completion.truncated is None or completion.finish_reason == "length"):
                self.cache.put(key, completion.to_cache())  # complete replies only: a dropped stream is not kept
            return completion
        raise AssertionError("unreachable")

    def _where(self) -> str:
        return f"{self.settings.model} at {self.settings.base_url}"

    def _wait(self, seconds: float, cancel) -> None:
        if self._sleep is not None:
            self._sleep(seconds)
            return
        end = time.monotonic() + seconds
        while True:
            if cancel and cancel():
                raise Cancelled()
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(0.05, left))

    def _once(self, messages, seed, on_text, cancel) -> Completion:
        client = self._openai()  # (first: it names the missing package)
        import openai

        s = self.settings
        kwargs = dict(model=s.model, messages=messages)
        kwargs[self._token_param] = s.max_tokens
        if not self._default_temperature_only:
            kwargs["temperature"] = s.temperature
        if seed is not None:
            kwargs["seed"] = int(seed) % 2**31
        try:
            if s.stream:
                return self._streamed(client.chat.completions.create(stream=True, **kwargs), on_text, cancel)
            response = client.chat.completions.create(**kwargs)
            return self._whole(response)
        except (Cancelled, _Retry, LLMError):
            raise
        except openai.APIStatusError as exc:
            raise self._status_error(exc) from None
        except openai.APITimeoutError:
            raise _Retry(f"no answer within {s.timeout:g} s (timeout)", cause="timeout") from None
        except openai.APIConnectionError as exc:
            if self._refused(exc):
                hint = PRESETS.get(s.provider, PRESETS["custom"]).hint
                raise LLMError(f"nothing answered at {s.base_url} (connection refused): {hint}",
                               "connection") from None
            raise _Retry(f"the connection failed ({self.redact(_cause_text(exc))})", cause="connection") from None
        except (ValueError, openai.APIResponseValidationError) as exc:  # JSONDecodeError, pydantic errors
            raise _Retry(f"the reply was not valid JSON ({str(exc)[:100]})", cause="bad_response") from None

    @staticmethod
    def _refused(exc) -> bool:
        cause = exc.__cause__ or exc.__context__
        while cause is not None:
            if isinstance(cause, ConnectionRefusedError) or type(cause).__name__ == "ConnectError":
                return True
            cause = cause.__cause__ or cause.__context__
        return False

    def _status_error(self, exc) -> Exception:
        code = exc.status_code
        message = self.redact(_server_message(exc))
        response = getattr(exc, "response", None)
        where = self._where()
        if code in (401, 403):
            if self._key.withheld:
                sent = self._key.withheld + "."
            elif self._key.value:
                sent = f"The key sent came from {self._key.source}."
            else:
                sent = "No API key is set."
            return LLMError(
                f"{where} refused the request: {code} {'Unauthorized' if code == 401 else 'Forbidden'} ({message}). "
                f"{sent} Set LLM_SKETCH_API_KEY (or OPENAI_API_KEY) to a valid key in the environment ComfyUI or "
                f"this command starts from, or give a profile an api_key in {CONFIG_NAME}; never in a widget, "
                f"which is saved in workflows and image metadata.", "auth")
        if code == 429 or code >= 500 or code in (408, 409):
            what = {429: "rate limited (429)", 408: "request timeout (408)", 409: "conflict (409)"}.get(
                code, f"server error ({code})")
            return _Retry(f"{what}: {message}", retry_after(response.headers if response is not None else None),
                          cause="rate_limit" if code == 429 else "server")
        if code == 400 and "max_completion_tokens" in message and self._token_param == "max_tokens":
            self._token_param = "max_completion_tokens"
            return _Retry(f"the model takes max_completion_tokens, not max_tokens ({message})", 0.0,
                          cause="bad_request")
        if code == 400 and "temperature" in message.lower() and not self._default_temperature_only and (
                "default" in message.lower() or "unsupported" in message.lower()):
            self._default_temperature_only = True
            return _Retry(f"the model takes only its default temperature ({message})", 0.0, cause="bad_request")
        if code == 404:
            return LLMError(f"{where} answered 404 ({message}): check the model name and that the base URL ends "
                            f"in /v1", "bad_request")
        return LLMError(f"{where} refused the request: {code} ({message})", "bad_request")

    def _whole(self, response) -> Completion:
        choices = getattr(response, "choices", None)
        if not choices:
            raise _Retry("the reply had no choices", cause="bad_response")
        choice = choices[0]
        message = getattr(choice, "message", None)
        text = getattr(message, "content", None) or ""
        if not isinstance(text, str):
            raise _Retry("the reply's content is not text", cause="bad_response")
        finish = getattr(choice, "finish_reason", None)
        usage = getattr(response, "usage", None)
        return Completion(text=text, finish_reason=finish, refusal=getattr(message, "refusal", None) or None,
                          usage=_usage(usage),
                          truncated="the reply reached max_tokens" if finish == "length" else None)

    def _streamed(self, stream, on_text, cancel) -> Completion:
        import openai

        content_type = stream.response.headers.get("content-type", "")
        if "event-stream" not in content_type:
            # some servers ignore "stream": read it as a whole reply if it is one
            try:
                data = json.loads(stream.response.read() or b"null")
            except ValueError:
                raise _Retry(f"the server answered a stream request with {content_type or 'no content type'} "
                             f"that is not JSON", cause="bad_response") from None
            finally:
                stream.close()
            if not isinstance(data, dict):
                raise _Retry("the reply was not a chat completion", cause="bad_response")
            return self._whole(openai.types.chat.ChatCompletion.model_validate(data))
        pieces: list[str] = []
        refusal: list[str] = []
        finish = None
        usage = None
        try:
            for chunk in stream:
                if cancel and cancel():
                    raise Cancelled()
                if getattr(chunk, "usage", None):
                    usage = _usage(chunk.usage)
                for choice in getattr(chunk, "choices", None) or []:
                    delta = getattr(choice, "delta", None)
                    piece = getattr(delta, "content", None)
                    if piece:
                        pieces.append(piece)
                        if on_text:
                            on_text(piece)
                    if getattr(delta, "refusal", None):
                        refusal.append(delta.refusal)
                    if choice.finish_reason:
                        finish = choice.finish_reason
        except (openai.APITimeoutError, openai.APIConnectionError) as exc:
            timeout = isinstance(exc, openai.APITimeoutError)
            reason = f"silent for {self.settings.timeout:g} s" if timeout else "the connection dropped"
            if not pieces:
                raise _Retry(f"the stream broke before any text ({reason})",
                             cause="timeout" if timeout else "connection") from None
            return Completion(text="".join(pieces), finish_reason=None, refusal="".join(refusal) or None,
                              usage=usage, truncated=f"the stream broke after {len(''.join(pieces))} characters "
                                                     f"({reason})")
        finally:
            stream.close()
        text = "".join(pieces)
        truncated = None
        if finish is None:
            truncated = f"the stream ended before the model finished ({len(text)} characters)"
        elif finish == "length":
            truncated = "the reply reached max_tokens"
        return Completion(text=text, finish_reason=finish, refusal="".join(refusal) or None, usage=usage,
                          truncated=truncated)


def _usage(usage) -> dict | None:
    if usage is None:
        return None
    if hasattr(usage, "model_dump"):
        usage = usage.model_dump()
    if not isinstance(usage, dict):
        return None
    return {k: usage.get(k) for k in ("prompt_tokens", "completion_tokens", "total_tokens") if k in usage}


def _cause_text(exc) -> str:
    cause = exc.__cause__ or exc.__context__
    return f"{type(cause).__name__}: {cause}"[:160] if cause is not None else str(exc)[:160]


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate: about 4 characters per token (OpenAI's rule of thumb for English)."""
    return (len(text) + 3) // 4


def client_from(provider: str = "openai", model: str = "", base_url: str = "", cache: object = "default",
                **overrides) -> LLMClient:
    """Settings, key and cache in one call (``cache="default"``: ``Cache.default()``; None: no cache)."""
    from .cache import Cache

    settings = resolve_settings(provider, model, base_url, **overrides)
    return LLMClient(settings, cache=Cache.default() if cache == "default" else cache)
