"""Sanitized SVG → pixels, at an explicit size, in a worker process that can be stopped.

``rasterize`` returns an ``H × W × 4`` uint8 array with straight (not premultiplied) alpha. The renderer runs in a
reusable child process (``render_worker``) with a memory limit; a render that outruns ``timeout`` kills the child,
which is replaced on the next call. The result is read from cairo's buffer, never through a PNG round trip.

Backends: ``cairo`` (cairosvg; fast, the default) and ``resvg`` (a wheel with no system libraries; serves where
libcairo is missing, and draws some features more correctly). ``auto`` picks cairo unless the document uses a
feature cairosvg is measured to draw wrong (``RESVG_FEATURES``) or cairo is unavailable; if the chosen backend
fails on a document, the other one is tried before giving up.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import select
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from .errors import SVGError
from .render_worker import read_message, write_message
from .svgsafe import Limits, SafeSVG, sanitize

FITS = ("contain", "cover", "stretch", "auto")
BACKENDS = ("auto", "cairo", "resvg")
_FIT_PAR = {"contain": "xMidYMid meet", "cover": "xMidYMid slice", "stretch": "none"}
# Features cairosvg draws wrong where resvg is right (measured on the resvg test suite: bench/reference_suite.py).
RESVG_FEATURES = frozenset({"clip-path", "mask", "pattern", "marker", "svg", "raster", "textPath", "switch",
                            "gradient-edge-case", "dash-zero", "shape-with-children", "aspect-none",
                            "rect-radius-clamped", "path-arc-then-smooth", "stroke-skewed-miter",
                            "zero-length-cap"})
MAX_DEVICE_COORDINATE = 4_000_000  # cairo's fixed-point coordinates overflow near 8.4 million
DEFAULT_TIMEOUT = float(os.environ.get("LLM_SKETCH_RENDER_TIMEOUT", "20"))

# What a worker that hit its memory limit last wrote (a Rust allocation failure aborts with the first), or why it
# could not load a backend (the dynamic loader's words when the limit leaves no room for a library).
_MEMORY_DEATH = ("memory allocation of", "MemoryError", "bad_alloc", "Cannot allocate memory", "out of memory",
                 "failed to map segment")
log = logging.getLogger(__name__)

CAIRO_HELP = ("the Cairo library is missing: install it (Debian/Ubuntu: apt install libcairo2; macOS: brew install "
              "cairo; Windows: use backend 'resvg', which needs no system library)")


class _Worker:
    """One render child process, started on first use and replaced after a timeout or crash."""

    def __init__(self):
        self.process: subprocess.Popen | None = None
        self.lock = threading.Lock()
        self.missing: dict[str, str | None] = {}
        self.peak_rss_kb = 0
        self.stderr = None
        self.memory_mb = "2048"

    def _start(self) -> None:
        package = Path(__file__).resolve().parent
        env = dict(os.environ)
        env["PYTHONPATH"] = str(package.parent) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.memory_mb = env.get("LLM_SKETCH_RENDER_MEMORY_MB", "2048")
        # The child's stderr goes to a file that is read between requests (see _drain_stderr): no reader thread,
        # and what a crashing renderer prints as it dies (a Rust allocation failure, a backtrace) is kept off the
        # console, where the CLI promises one line per error.
        self.stderr = tempfile.TemporaryFile(buffering=0)
        # The child imports the engine by its folder name (llm_sketch), whatever folder the pack was cloned into
        # and whatever name ComfyUI imported it under.
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"{package.name}.render_worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.stderr, env=env, cwd=str(package.parent), bufsize=0,
        )
        _grow_pipe(self.process.stdout)
        try:
            self._send({"op": "probe"})
            reply = self._receive_json(timeout=60)
        except (EOFError, TimeoutError, OSError, ValueError):
            last_words = self._drain_stderr(logging.DEBUG).strip().splitlines()
            raise self._died(last_words, "the renderer did not start"
                             + (f" ({last_words[-1]})" if last_words else ""), starting=True) from None
        self._drain_stderr()
        self.missing = reply.get("missing", {})

    def stop(self) -> None:
        if self.process is not None:
            try:
                self.process.kill()
            except OSError:
                pass
            deadline = time.monotonic() + 5
            while self._alive() and time.monotonic() < deadline:
                time.sleep(0.01)
            self.process = None
        if self.stderr is not None:
            self._drain_stderr(logging.DEBUG)
            self.stderr.close()
            self.stderr = None

    def _drain_stderr(self, level: int = logging.WARNING) -> str:
        """What the worker wrote to stderr since the last call, each line logged at ``level``; the file is emptied.
        Called only while the worker waits for a request (or is dead), so nothing is written meanwhile. The child
        shares the file's offset, so after the truncation its next line lands at the start."""
        try:
            self.stderr.seek(0)
            text = self.stderr.read().decode("utf-8", "replace")
            self.stderr.truncate(0)
            self.stderr.seek(0)
        except (OSError, ValueError):
            return ""
        for line in text.splitlines():
            if line.strip():
                log.log(level, "render worker: %s", line)
        return text

    def _alive(self) -> bool:
        """Whether the worker still runs; once it has exited it is reaped here, keeping its own peak memory
        (a worker killed mid-render never reports it, and RUSAGE_CHILDREN would mix in every other child)."""
        if not hasattr(os, "wait4"):
            return self.process.poll() is None
        if self.process.returncode is not None:
            return False
        try:
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
        except ChildProcessError:
            self.process.returncode = -1
            return False
        if pid == 0:
            return True
        self.process.returncode = os.waitstatus_to_exitcode(status)
        self.peak_rss_kb = max(self.peak_rss_kb, usage.ru_maxrss)
        return False

    def _send(self, header: dict, body: bytes | None = None) -> None:
        pipe = self.process.stdin
        write_message(pipe, json.dumps(header).encode())
        if body is not None:
            write_message(pipe, body)
        pipe.flush()

    def _wait_readable(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not _readable(self.process.stdout, remaining):
            raise TimeoutError

    def _receive_json(self, timeout: float) -> dict:
        self._wait_readable(time.monotonic() + timeout)
        data = read_message(self.process.stdout)
        if data is None:
            raise EOFError
        return json.loads(data)

    def render(self, svg: bytes, backend: str, width: int, height: int, background: str | None,
               timeout: float) -> tuple[bytes, str]:
        with self.lock:
            if self.process is None or not self._alive():
                self._start()
            reason = self.missing.get(backend)  # from this worker's own probe, so never stale
            if reason:
                if any(sign in reason for sign in _MEMORY_DEATH):
                    raise self._memory_error(starting=True)  # the limit leaves no room to load the library
                reason = " ".join(reason.split())
                raise _BackendFailed(CAIRO_HELP if backend == "cairo" else f"not installed ({reason})")
            deadline = time.monotonic() + timeout
            watchdog = None
            if os.name == "nt":  # no select() on pipes there: a timer kills the child instead
                watchdog = threading.Timer(timeout, self.process.kill)
                watchdog.start()
            try:
                self._send({"op": "render", "backend": backend, "width": width, "height": height,
                            "background": background}, svg)
                self._wait_readable(deadline)
                reply = json.loads(read_message(self.process.stdout) or b"null")
                if reply is None:
                    raise EOFError
                self.peak_rss_kb = max(self.peak_rss_kb, reply.get("peak_rss_kb", 0))
                if not reply["ok"]:
                    if reply.get("kind") == "memory":
                        self.stop()  # a process that hit its limit may be left fragmented: start fresh
                        raise self._memory_error()
                    raise _BackendFailed(reply["error"])
                pixels = self._read_exact(width * height * 4, deadline)
                return pixels, reply["format"]
            except SVGError:  # (a ValueError: not a broken pipe)
                raise
            except TimeoutError:
                self.stop()
                raise SVGError(f"rendering took longer than {timeout:g} s and was stopped: the SVG is too complex "
                               "to draw (simplify it or raise the timeout)") from None
            except (EOFError, BrokenPipeError, OSError, ValueError):
                last_words = self._drain_stderr(logging.DEBUG).splitlines()
                if time.monotonic() >= deadline:
                    last_words = []  # killed by the watchdog
                    message = (f"rendering took longer than {timeout:g} s and was stopped: the SVG is too complex to "
                               "draw (simplify it or raise the timeout)")
                else:
                    message = ("the renderer crashed on this SVG (it may need more memory than allowed); simplify "
                               "the SVG")
                raise self._died(last_words, message) from None
            finally:
                if watchdog is not None:
                    watchdog.cancel()
                if self.stderr is not None:
                    self._drain_stderr()

    def _died(self, last_words: list[str], message: str, starting: bool = False) -> SVGError:
        """Stops the dead worker; the error to raise: the memory one if its last words say so, else ``message``."""
        self.stop()
        if any(sign in line for line in last_words for sign in _MEMORY_DEATH):
            return self._memory_error(starting)
        return SVGError(message)

    def _memory_error(self, starting: bool = False) -> SVGError:
        if starting:  # no SVG is to blame: the limit is below what the renderer itself needs
            return SVGError(f"the renderer cannot start within its memory limit ({self.memory_mb} MB, "
                            "LLM_SKETCH_RENDER_MEMORY_MB): raise it (the default is 2048)")
        return SVGError(f"rendering needed more memory than allowed ({self.memory_mb} MB, "
                        "LLM_SKETCH_RENDER_MEMORY_MB): simplify the SVG or render at a smaller size")

    def _read_exact(self, size: int, deadline: float) -> bytes:
        head = self.process.stdout.read(4)
        if len(head) < 4:
            raise EOFError
        buffer = bytearray(size)
        view = memoryview(buffer)
        got = 0
        while got < size:
            if not _readable(self.process.stdout, 0):
                self._wait_readable(deadline)
            n = self.process.stdout.readinto(view[got:])
            if not n:
                raise EOFError
            got += n
        return buffer


class _BackendFailed(Exception):
    pass


def _grow_pipe(pipe) -> None:
    """Ask Linux for a 1 MiB pipe buffer: fewer round trips when a 4 MB image comes back."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass


def _readable(pipe, timeout: float) -> bool:
    if os.name == "nt":  # no select() on pipes: the read blocks, and a watchdog timer enforces the timeout
        return True
    ready, _, _ = select.select([pipe], [], [], timeout)
    return bool(ready)


_worker = _Worker()


def worker_peak_rss_kb(reset: bool = False) -> int:
    """The largest resident size any render worker has reached (kB), for tests and benchmarks; ``reset`` stops the
    worker and starts the count again (the next render starts a fresh one)."""
    with _worker.lock:
        if reset:
            _worker.peak_rss_kb = 0
            _worker.stop()
        return _worker.peak_rss_kb


def shutdown() -> None:
    """Stop the render worker (it is restarted on the next render)."""
    with _worker.lock:
        _worker.stop()


def prepare(doc: SafeSVG, width: int, height: int, fit: str = "contain") -> bytes:
    """The document's markup with its root set to draw the viewBox onto exactly ``width`` × ``height``."""
    if fit not in FITS:
        raise SVGError(f"unknown fit {fit!r}: use one of {', '.join(FITS)}")
    par = doc.preserve_aspect_ratio if fit == "auto" else _FIT_PAR[fit]
    end = doc.text.index(">")
    if doc.text[end - 1] == "/":  # an empty, self-closing root
        end -= 1
    head = doc.text[:end]
    head = re.sub(r'\s(width|height|preserveAspectRatio)="[^"]*"', "", head)
    head += f' width="{width}" height="{height}" preserveAspectRatio="{par}"'
    return (head + doc.text[end:]).encode("utf-8")


def check_size(doc: SafeSVG, width: int, height: int, limits: Limits) -> None:
    if not isinstance(width, int) or not isinstance(height, int) or width < 1 or height < 1:
        raise SVGError(f"the output size must be positive whole pixels, got {width}×{height}")
    if width * height > limits.max_output_pixels:
        raise SVGError(f"the output is too large: {width}×{height} pixels (limit {limits.max_output_pixels} "
                       "pixels); render smaller")
    vx, vy, vw, vh = doc.view_box
    reach = (doc.extent + abs(vx) + abs(vy)) * max(width / vw, height / vh)
    if reach > MAX_DEVICE_COORDINATE:
        raise SVGError(f"the drawing reaches {reach:.3g} px from the canvas at this size (limit "
                       f"{MAX_DEVICE_COORDINATE:g}); its coordinates are too large for its viewBox")


def choose_backend(doc: SafeSVG, backend: str = "auto") -> list[str]:
    """The backends to try, in order."""
    if backend not in BACKENDS:
        raise SVGError(f"unknown backend {backend!r}: use one of {', '.join(BACKENDS)}")
    if backend != "auto":
        return [backend]
    first = "resvg" if doc.features & RESVG_FEATURES else "cairo"
    return [first, "resvg" if first == "cairo" else "cairo"]


def rasterize(svg: SafeSVG | str | bytes, width: int, height: int, *, fit: str = "contain",
              background: str | None = None, backend: str = "auto", timeout: float | None = None,
              limits: Limits | None = None) -> np.ndarray:
    """SVG → ``height × width × 4`` uint8 RGBA (straight alpha). Raw text is sanitized first.

    ``background``: a CSS colour painted under the drawing (alpha honoured), or None/``transparent`` for none.
    """
    limits = limits or Limits()
    doc = sanitize(svg, limits)
    width, height = _as_int(width, "width"), _as_int(height, "height")
    check_size(doc, width, height, limits)
    under = None  # a translucent background, composited here (backends take opaque colours only)
    if background is not None:
        from .colors import parse_color, to_hex

        rgba = None if not isinstance(background, str) else (
            (0, 0, 0, 0.0) if background.strip().lower() in ("transparent", "none") else parse_color(background))
        if rgba is None:
            raise SVGError(f"unknown background colour {background!r}: use a CSS colour such as white or #ffffff")
        if rgba[3] >= 1:
            background = to_hex(rgba)
        else:
            background = None
            under = rgba if rgba[3] > 0 else None
    markup = prepare(doc, width, height, fit)
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    failures = []
    for name in choose_backend(doc, backend):
        try:
            pixels, pixel_format = _worker.render(markup, name, width, height, background, timeout)
        except _BackendFailed as exc:
            failures.append(f"{name}: {exc}")
            continue
        for failure in failures:  # drawn by the other backend: a missing one is said once, the rest quietly
            missing = CAIRO_HELP in failure or "not installed" in failure
            if not missing or failure not in _said:
                _said.add(failure)
                log.log(logging.WARNING if missing else logging.INFO, "LLM Sketch: %s; drawn with %s", failure, name)
        rgba = _to_rgba(pixels, pixel_format, width, height)
        return rgba if under is None else _composite_under(rgba, under)
    raise SVGError("no renderer could draw this SVG: " + "; ".join(failures))


_said: set[str] = set()  # fallbacks already logged


def _as_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)) or (
            isinstance(value, (float, np.floating)) and (not math.isfinite(value) or value != int(value))):
        raise SVGError(f"the {name} must be a whole number of pixels, got {value!r}")
    return int(value)


def _composite_under(rgba: np.ndarray, color: tuple) -> np.ndarray:
    """``rgba`` (straight alpha) drawn over a translucent colour ``(r, g, b, alpha)``: Porter-Duff *over*, straight
    alpha out (colour channels are the coverage-weighted mix, alpha is a + b·(1 − a))."""
    top_a = rgba[..., 3:4].astype(np.float32) / 255.0
    under_a = np.float32(color[3])
    out_a = top_a + under_a * (1.0 - top_a)
    under_rgb = np.array(color[:3], dtype=np.float32)
    mixed = rgba[..., :3].astype(np.float32) * top_a + under_rgb * (under_a * (1.0 - top_a))
    out = np.empty_like(rgba)
    out[..., :3] = np.clip(np.rint(mixed / np.maximum(out_a, 1e-12)), 0, 255).astype(np.uint8)
    out[..., 3:4] = np.clip(np.rint(out_a * 255.0), 0, 255).astype(np.uint8)
    return out


def _unpremultiply_table() -> np.ndarray:
    alpha = np.arange(1, 256, dtype=np.uint32)[:, None]
    channel = np.arange(256, dtype=np.uint32)[None, :]
    table = np.zeros((256, 256), dtype=np.uint8)
    table[1:] = np.minimum(255, (channel * 255 + alpha // 2) // alpha)
    return table


_UNPREMULTIPLY = _unpremultiply_table()  # [alpha, premultiplied channel] → straight channel


def _to_rgba(pixels: bytes, pixel_format: str, width: int, height: int) -> np.ndarray:
    if pixel_format == "rgba":
        return np.frombuffer(pixels, dtype=np.uint8).reshape(height, width, 4).copy()
    # cairo's ARGB32 is premultiplied and native-endian: as uint32 it reads 0xAARRGGBB. Swap R and B with uint32
    # operations (numpy-typed constants: a Python int mask would promote the whole array to int64).
    argb = np.frombuffer(pixels, dtype=np.uint32).reshape(height, width)
    if sys.byteorder != "little":
        argb = argb.byteswap()
    low, mid, shift = np.uint32(0xFF), np.uint32(0xFF00FF00), np.uint32(16)
    abgr = (argb & mid) | ((argb & low) << shift) | ((argb >> shift) & low)
    rgba = abgr.view(np.uint8).reshape(height, width, 4)
    flat = rgba.reshape(-1, 4)
    partial = np.flatnonzero((flat[:, 3] - np.uint8(1)) < np.uint8(254))  # 0 < alpha < 255
    if partial.size:
        px = flat[partial]
        px[:, :3] = _UNPREMULTIPLY[px[:, 3:4], px[:, :3]]
        flat[partial] = px
    return rgba
