"""The render worker: a child process that turns sanitized SVG into raw pixels, one request at a time.

Run as ``python -m llm_sketch.render_worker``. cairo and resvg run C/Rust code that no Python signal interrupts, so
the parent process (``llm_sketch.render``) keeps the renderer here, under a memory limit, and kills and replaces this
process when a render outruns its time budget. Only sanitized SVG ever reaches it.

Wire format on stdin/stdout: each message is a 4-byte big-endian length and a payload. A request is a JSON header
then the SVG bytes; a reply is a JSON header then, on success, ``height × width × 4`` bytes (see ``pixel_format``).
"""

from __future__ import annotations

import io
import json
import os
import struct
import sys


def read_message(stream) -> bytes | None:
    head = stream.read(4)
    if len(head) < 4:
        return None
    (size,) = struct.unpack(">I", head)
    data = stream.read(size)
    if len(data) < size:
        return None
    return data


def write_message(stream, payload: bytes) -> None:
    stream.write(struct.pack(">I", len(payload)))
    stream.write(payload)


def limit_memory() -> None:
    """Cap this process's address space (Linux/BSD); a render that needs more fails with MemoryError."""
    limit_mb = int(os.environ.get("LLM_SKETCH_RENDER_MEMORY_MB", "2048"))
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit_mb * 1024 * 1024, limit_mb * 1024 * 1024))
    except (ImportError, ValueError, OSError):
        pass  # Windows: no rlimit; the parent's timeout still bounds the render


def render_cairo(svg: bytes, width: int, height: int, background: str | None) -> tuple[bytes, str]:
    """cairosvg's own parser and surface, reading cairo's buffer directly (no PNG encode/decode round trip)."""
    from cairosvg.parser import Tree
    from cairosvg.surface import PNGSurface

    tree = Tree(bytestring=svg, unsafe=False)  # never unsafe=True, never a custom url_fetcher
    surface = PNGSurface(tree, None, 96, output_width=width, output_height=height, background_color=background)
    surface.cairo.flush()
    stride = surface.cairo.get_stride()
    data = bytes(surface.cairo.get_data())
    surface.finish()
    if stride != width * 4:
        data = b"".join(data[row * stride:row * stride + width * 4] for row in range(height))
    return data, "bgra-premultiplied"


# resvg's generic defaults (Times New Roman, Arial, Courier New, …) are often not installed (a DejaVu-only Linux has
# none of them), and then it draws no text at all. Each generic family is mapped to an installed font, asked of
# fontconfig once per worker; without fc-match, common names are guessed (fontdb skips those it cannot find).
_GENERIC_GUESSES = {
    "sans-serif": "DejaVu Sans, Liberation Sans, Arial, Helvetica",
    "serif": "DejaVu Serif, Liberation Serif, Times New Roman, Times",
    "monospace": "DejaVu Sans Mono, Liberation Mono, Courier New, Courier",
    "cursive": "DejaVu Sans, Liberation Sans, Comic Sans MS, Arial",
    "fantasy": "DejaVu Sans, Liberation Sans, Impact, Arial",
}
_generic_families: dict[str, str] | None = None


def generic_families() -> dict[str, str]:
    """Generic family → an installed family name (``fc-match -f '%{family}' <generic>``), found once per process."""
    global _generic_families
    if _generic_families is None:
        import shutil
        import subprocess

        found = {}
        fc_match = shutil.which("fc-match")
        for generic, guess in _GENERIC_GUESSES.items():
            name = None
            if fc_match:
                try:
                    out = subprocess.run([fc_match, "-f", "%{family}", generic], capture_output=True, text=True,
                                         timeout=10, stdin=subprocess.DEVNULL).stdout
                    name = out.split(",")[0].strip() or None  # "DejaVu Sans,DejaVu Sans Condensed" → the first
                except (OSError, subprocess.SubprocessError):
                    name = None
            found[generic] = name or guess.split(",")[0].strip()
        _generic_families = found
    return _generic_families


def render_resvg(svg: bytes, width: int, height: int, background: str | None) -> tuple[bytes, str]:
    import resvg_py
    from PIL import Image

    text = svg.decode("utf-8")
    has_text = "<text" in text
    fonts = {}
    if has_text:
        families = generic_families()
        # the default family (for text with no font-family) is sans-serif, as in cairosvg, so both backends agree
        fonts = {"font_family": families["sans-serif"], "sans_serif_family": families["sans-serif"],
                 "serif_family": families["serif"], "monospace_family": families["monospace"],
                 "cursive_family": families["cursive"], "fantasy_family": families["fantasy"]}
    png = resvg_py.svg_to_bytes(svg_string=text, width=width, height=height, background=background,
                                skip_system_fonts=not has_text, dpi=96.0, **fonts)
    image = Image.open(io.BytesIO(bytes(png))).convert("RGBA")
    if image.size != (width, height):
        image = image.resize((width, height))
    return image.tobytes(), "rgba"


BACKENDS = {"cairo": render_cairo, "resvg": render_resvg}


def available(backend: str) -> str | None:
    """None if the backend can be imported here, else the reason it cannot."""
    try:
        if backend == "cairo":
            import cairosvg.surface  # noqa: F401  (loads libcairo through cairocffi)
        else:
            import resvg_py  # noqa: F401
    except (ImportError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def serve(stdin, stdout) -> None:
    while True:
        header = read_message(stdin)
        if header is None:
            return
        request = json.loads(header)
        if request.get("op") == "probe":
            reply = {"ok": True, "missing": {name: available(name) for name in BACKENDS}, "pid": os.getpid()}
            write_message(stdout, json.dumps(reply).encode())
            stdout.flush()
            continue
        svg = read_message(stdin)
        if svg is None:
            return
        try:
            pixels, pixel_format = BACKENDS[request["backend"]](svg, request["width"], request["height"],
                                                                request.get("background"))
            reply = {"ok": True, "format": pixel_format}
        except MemoryError:
            pixels, reply = b"", {"ok": False, "error": "the renderer ran out of memory", "kind": "memory"}
        except Exception as exc:  # the renderer's own failure, reported to the parent as text
            pixels, reply = b"", {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500], "kind": "render"}
        try:
            import resource

            reply["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        except ImportError:
            pass
        write_message(stdout, json.dumps(reply).encode())
        if pixels:
            write_message(stdout, pixels)
        stdout.flush()


def main() -> None:
    limit_memory()
    # the protocol gets its own copy of stdout; anything a library prints goes to stderr instead
    protocol_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(sys.stdin.buffer, protocol_out)


if __name__ == "__main__":
    main()
