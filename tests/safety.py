"""Shared helpers for tests/test_hostile.py, tests/test_fuzz.py and bench/fuzz.py.

* the hostile corpus (tests/hostile/, described by the table in tests/hostile/README.md) and the cases that are
  generated because they are large or need base64 around a runtime value;
* ``Trap``: a loopback HTTP server that counts every connection plus FIFO canaries that notice any process
  opening them for reading — so "no network, no file read" is observed, not assumed;
* ``run_pipeline`` (sanitize → rasterize → extract_layout) and ``leaks`` (external references left in sanitized text);
* ``worker_peak_rss_mib``: the peak RSS of the render worker(s), as reported and as reaped after a kill;
* hypothesis strategies: SVG documents from a grammar with junk, and byte mutations of valid SVGs.

Run as a script (``python tests/safety.py run DIR``) it feeds every file in DIR through the pipeline; the strace test
uses that to watch the whole process tree's open/connect calls.
"""

from __future__ import annotations

import base64
import errno
import gzip
import http.client
import http.server
import io
import os
import re
import struct
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "hostile"
SVG_NS = "http://www.w3.org/2000/svg"
OPEN = f'<svg xmlns="{SVG_NS}" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100">'
FIFO_NAMES = ["canary.txt", "canary.png", "canary.svg", "canary.css", "canary.dtd", "canary.xsl", "canary.js",
              "canary.ttf", "secret.png", "work/secret.png", "work/shapes.svg"]


# --------------------------------------------------------------------------------------------------- the corpus


@dataclass(frozen=True)
class Case:
    name: str          # file name in tests/hostile/, or a key of GENERATED
    attack: str
    safe_ok: bool      # a render (with no external reference left) is an acceptable outcome
    keywords: tuple    # an SVGError is acceptable if its message holds one of these (lower case); () = never


def load_cases() -> list[Case]:
    """The README table is the single source of the expected outcomes: | `case` | attack | expected |."""
    cases = []
    for line in (CORPUS / "README.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        name = cells[0].split("`")[1]
        expected = cells[2]
        keywords = tuple(k.lower() for k in re.findall(r"`([^`]+)`", expected)) if "rejected" in expected else ()
        cases.append(Case(name, cells[1], "safe render" in expected, keywords))
    return cases


def _data_uri(mime: str, payload: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(payload).decode()}"


def _png(width: int, height: int, rows: int | None = None, color_type: int = 0) -> bytes:
    """A PNG whose header says width×height; IDAT holds `rows` zero rows (all of them by default), streamed."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    channels = {0: 1, 2: 3, 6: 4}[color_type]
    comp, row, parts = zlib.compressobj(9), bytes(1 + width * channels), []
    for _ in range(height if rows is None else rows):
        parts.append(comp.compress(row))
    parts.append(comp.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def _jpeg_claiming(width: int, height: int) -> bytes:
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "JPEG")
    data = bytearray(buf.getvalue())
    sof = data.index(b"\xff\xc0")           # SOFn: marker, length(2), precision(1), height(2), width(2)
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _gif_claiming(width: int, height: int) -> bytes:
    from PIL import Image
    buf = io.BytesIO()
    Image.new("P", (8, 8)).save(buf, "GIF")
    data = bytearray(buf.getvalue())
    data[6:10] = struct.pack("<HH", width, height)                   # logical screen
    desc = data.index(b"\x2c")                                        # image descriptor: ',' x y w h
    data[desc + 5:desc + 9] = struct.pack("<HH", width, height)
    return bytes(data)


def _webp_claiming(width: int, height: int) -> bytes:
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "WEBP", lossless=True)
    frame = buf.getvalue()[12:]                                       # the VP8L chunk after RIFF size WEBP
    vp8x = b"VP8X" + struct.pack("<I", 10) + bytes(4) + (width - 1).to_bytes(3, "little") \
        + (height - 1).to_bytes(3, "little")
    body = b"WEBP" + vp8x + frame
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _image_doc(uri: str) -> str:
    return f'{OPEN}<image href="{uri}" width="100" height="100"/></svg>'


def _svg_referencing_server(port: int, name: str) -> bytes:
    return (f"<svg xmlns='{SVG_NS}'><image href='http://127.0.0.1:{port}/{name}' width='10' height='10'/>"
            f"<rect width='5' height='5' fill='url(http://127.0.0.1:{port}/{name}-fill#g)'/></svg>").encode()


_cache: dict = {}


def _element_cap() -> int:
    from llm_sketch import Limits

    return Limits().max_elements


def _cached(key, make):
    if key not in _cache:
        _cache[key] = make()
    return _cache[key]


GENERATED = {
    "many_elements": lambda ctx: OPEN + "<g/>" * 100_000 + "</svg>",
    "deep_nesting": lambda ctx: OPEN + "<g>" * 50_000 + "</g>" * 50_000 + "</svg>",
    "quadratic_blowup": lambda ctx: ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "' + "x" * 20_000 + '">]>'
                                     + OPEN + "<text>" + "&a;" * 20_000 + "</text></svg>"),
    "oversized_input": lambda ctx: OPEN + "<!--" + "x" * (32 << 20) + "--></svg>",
    "huge_path_data": lambda ctx: (OPEN + ('<path stroke="black" d="M0 0' + " l1 1 l-1 1" * 17_000 + '"/>') * 2
                                   + "</svg>"),
    "elements_at_cap": lambda ctx: OPEN + '<rect width="5" height="5" fill="red"/>' * (_element_cap() - 10) + "</svg>",
    "text_long": lambda ctx: OPEN + '<text y="10" font-size="4">' + "W" * 99_000 + "</text></svg>",
    "css_rule_bomb": lambda ctx: OPEN + "<style>" + "*{fill:red}" * 2_000 + "</style>" + "<g/>" * 2_000 + "</svg>",
    "css_many_rules": lambda ctx: (OPEN + "<style>" + "rect{fill:red}\n" * 60_000 + '</style><rect width="5" height="5"/>'
                                   + "</svg>"),
    "mask_chain": lambda ctx: (OPEN + '<mask id="m0"><rect width="5" height="5" fill="white"/></mask>' + "".join(
        f'<mask id="m{i}"><rect width="5" height="5" fill="white" mask="url(#m{i - 1})"/></mask>' for i in range(1, 3000))
        + '<rect width="9" height="9" mask="url(#m2999)"/></svg>'),
    "svgz_gzip_bomb": lambda ctx: _cached("gz", lambda: gzip.compress(
        OPEN.encode() + b" " * (64 << 20) + b"</svg>", 9)),
    "huge_png_header": lambda ctx: _image_doc(_data_uri("image/png", _png(100_000, 100_000, rows=4, color_type=6))),
    "png_zlib_bomb": lambda ctx: _cached("png", lambda: _image_doc(_data_uri("image/png", _png(12_000, 12_000)))),
    "jpeg_header_lie": lambda ctx: _image_doc(_data_uri("image/jpeg", _jpeg_claiming(65_500, 65_500))),
    "gif_header_lie": lambda ctx: _image_doc(_data_uri("image/gif", _gif_claiming(65_535, 65_535))),
    "webp_header_lie": lambda ctx: _image_doc(_data_uri("image/webp", _webp_claiming(1 << 24, 1 << 24))),
    "data_svg_base64": lambda ctx: _image_doc(_data_uri("image/svg+xml", _svg_referencing_server(ctx.port, "b64"))),
    "data_png_holding_svg": lambda ctx: (
        _image_doc(_data_uri("image/png", _svg_referencing_server(ctx.port, "png-labelled-svg")))[:-6]
        + f'<image href="{_data_uri("image/PNG", _svg_referencing_server(ctx.port, "upper-png"))}"/></svg>'),
}


@dataclass(frozen=True)
class Context:
    port: int
    dir: Path          # holds the FIFO canaries; its work/ subfolder is the current directory during the tests


def materialize(name: str, ctx: Context) -> str | bytes:
    """The input for a case: .svg → str (placeholders filled), .bin → bytes, generated → str or bytes."""
    if name in GENERATED:
        return GENERATED[name](ctx)
    path = CORPUS / name
    if path.suffix == ".bin":
        return path.read_bytes()
    return fill(path.read_text(encoding="utf-8"), ctx)


def fill(text, ctx: Context):
    if isinstance(text, bytes):
        return text.replace(b"@@PORT@@", str(ctx.port).encode()).replace(b"@@DIR@@", str(ctx.dir).encode())
    return text.replace("@@PORT@@", str(ctx.port)).replace("@@DIR@@", str(ctx.dir))


# ------------------------------------------------------------------------------------------- network and file trap


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def verify_request(self, request, client_address):       # every TCP connection counts, HTTP or not
        with self.lock:
            self.hits += 1
        return True


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.paths.append(self.path)
        body = (f"<svg xmlns='{SVG_NS}' width='1' height='1'/>".encode() if self.path.startswith("/second-hop")
                else _svg_referencing_server(self.server.server_address[1], "second-hop"))
        self.send_response(200)
        self.send_header("Content-Type", "image/svg+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Trap:
    """Loopback HTTP server (port 0) + FIFO canaries under `root`; both record every touch.

    A FIFO is only opened for writing (O_NONBLOCK) while some process has it open for reading, so the watcher
    thread's successful open proves a read attempt; it closes at once, which hands the reader EOF instead of a hang.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        (self.root / "work").mkdir(parents=True, exist_ok=True)
        self.fifos = [self.root / n for n in FIFO_NAMES]
        for f in self.fifos:
            if not f.exists():
                os.mkfifo(f)
        self.fifo_opens: list[str] = []
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.hits, self.server.paths, self.server.lock = 0, [], threading.Lock()
        self.port = self.server.server_address[1]
        self.ctx = Context(self.port, self.root)
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True),
                         threading.Thread(target=self._watch, daemon=True)]

    @property
    def hits(self) -> int:
        return self.server.hits

    @property
    def paths(self) -> list[str]:
        return list(self.server.paths)

    def _watch(self):
        while not self._stop.is_set():
            for f in self.fifos:
                try:
                    fd = os.open(f, os.O_WRONLY | os.O_NONBLOCK)
                except OSError as e:
                    if e.errno != errno.ENXIO:
                        raise
                    continue
                os.close(fd)
                self.fifo_opens.append(str(f))
            time.sleep(0.001)

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
        for t in self._threads:
            t.join(5)

    def self_check(self):
        """Control: prove the server counts a request and the watcher sees a reader; then reset both records."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)   # no proxy, unlike urllib
        conn.request("GET", "/control")
        assert conn.getresponse().status == 200
        conn.close()
        assert self.hits == 1, f"the loopback server counted {self.hits} hits for one control request"
        fd = os.open(self.fifos[0], os.O_RDONLY | os.O_NONBLOCK)
        try:
            deadline = time.monotonic() + 5
            while not self.fifo_opens and time.monotonic() < deadline:
                time.sleep(0.005)
        finally:
            os.close(fd)
        assert self.fifo_opens, "the FIFO watcher did not notice a reader"
        time.sleep(0.05)
        self.server.hits, self.server.paths[:], self.fifo_opens[:] = 0, [], []


# ------------------------------------------------------------------------------------------------- the pipeline


@dataclass
class Result:
    doc: object = None
    rgba: object = None
    layout: object = None
    error: Exception | None = None
    seconds: float = 0.0
    stages: dict = field(default_factory=dict)     # stage → seconds

    def timing(self) -> str:
        return " + ".join(f"{k} {v:.2f}" for k, v in self.stages.items())


def run_pipeline(data, width=256, height=256, timeout=1.0) -> Result:
    """sanitize → rasterize → extract_layout; SVGError is recorded (the first one wins), anything else propagates.

    extract_layout runs even when rasterize failed: it reads the same sanitized tree and must be safe on its own.
    """
    from llm_sketch import SVGError, extract_layout, rasterize, sanitize
    r, t0 = Result(), time.monotonic()

    def stage(name, call):
        start = time.monotonic()
        try:
            return call()
        except SVGError as e:
            r.error = r.error or e
        finally:
            r.stages[name] = time.monotonic() - start

    r.doc = stage("sanitize", lambda: sanitize(data))
    if r.doc is not None:
        r.rgba = stage("rasterize", lambda: rasterize(r.doc, width, height, timeout=timeout))
        r.layout = stage("layout", lambda: extract_layout(r.doc, width, height))
    r.seconds = time.monotonic() - t0
    return r


def check_result(r: Result, width: int, height: int, ctx: Context | None = None) -> None:
    """The properties every outcome must have, whatever the input."""
    import numpy as np
    if r.error is not None:
        msg = str(r.error)
        assert msg.strip() and "\n" not in msg.strip(), f"SVGError message is empty or multi-line: {msg!r}"
        assert len(msg) < 1000, f"SVGError message is {len(msg)} chars long"
        assert "root:x:0" not in msg, "SVGError message leaks /etc/passwd"
        return
    assert isinstance(r.rgba, np.ndarray) and r.rgba.dtype == np.uint8 and r.rgba.shape == (height, width, 4), \
        f"rasterize returned {type(r.rgba).__name__} {getattr(r.rgba, 'shape', None)} {getattr(r.rgba, 'dtype', None)}"
    assert isinstance(r.doc.text, str)
    assert hasattr(r.layout, "objects")
    found = leaks(r.doc.text, ctx)
    assert not found, f"sanitized text keeps unsafe content: {found}"


_SCHEME = re.compile(r"(?i)(java|vb)script\s*:|\b(https?|file|ftp)\s*:|//\s*127\.0\.0\.1|@import")
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.S)


def _css_unescape(css: str) -> str:
    """CSS escapes can spell `url(` or `@import` (`\\75 rl(`): check the decoded text."""
    return _CSS_ESCAPE.sub(lambda m: chr(min(int(m.group(1), 16), 0x10FFFF) or 0xFFFD) if m.group(1) else m.group(2), css)


_URL = re.compile(r"(?i)url\(\s*(['\"]?)(.*?)\1\s*\)")
_RASTER = re.compile(r"(?is)^\s*data:image/(png|jpeg|gif|webp)\s*[;,]")


def _bad_ref(value: str) -> str | None:
    v = value.strip()
    if not v or v.startswith("#"):
        return None
    if _RASTER.match(v):
        head, _, payload = v.partition(",")
        if ";base64" in head.lower():
            try:
                raw = base64.b64decode(payload[:96] + "==", validate=False)
            except ValueError:
                return None
            if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):      # markup (SVG) posing as a raster
                return f"raster data: URI holding markup: {v[:60]}"
        return None
    return f"external reference {v[:80]!r}"


def leaks(text: str, ctx: Context | None = None) -> list[str]:
    """Everything in sanitized SVG text that could reach outside it or run code; [] when clean."""
    from lxml import etree
    found = []
    if ctx is not None:
        for marker in (f"127.0.0.1:{ctx.port}", str(ctx.dir), "secret.png", "/etc/passwd", "C:\\x", "canary."):
            if marker in text:
                found.append(f"injected marker {marker!r} survived")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as e:
        return found + [f"sanitized text is not well-formed XML: {e}"]
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        found.append("DOCTYPE kept")
    for node in tree.iter():
        if isinstance(node, (etree._ProcessingInstruction, etree._Entity)):
            found.append(f"kept {node!r}")
            continue
        if not isinstance(node.tag, str):
            continue
        local = etree.QName(node).localname.lower()
        if local in {"script", "foreignobject", "include", "iframe", "html", "body", "img", "link", "object", "embed"}:
            found.append(f"kept element <{node.tag}>")
        if local == "style" and node.text:
            css = _css_unescape(node.text)
            found += [f"<style>: {m.group(0)!r}" for m in _SCHEME.finditer(css)]
            found += [f"<style>: {b}" for m in _URL.finditer(css) if (b := _bad_ref(m.group(2)))]
        for name, value in node.attrib.items():
            attr = etree.QName(name).localname.lower()
            value = _css_unescape(value) if attr == "style" else value
            if attr.startswith("on"):
                found.append(f"event handler {name}")
            elif attr in ("href", "src") and (b := _bad_ref(value)):
                found.append(f"{local} {name}: {b}")
            elif not _RASTER.match(value.strip()):
                found += [f"{local} {name}: {m.group(0)!r}" for m in _SCHEME.finditer(value)]
            found += [f"{local} {name}: {b}" for m in _URL.finditer(value) if (b := _bad_ref(m.group(2)))]
    return found


# -------------------------------------------------------------------------------------------------------- memory


def worker_peak_rss_mib(reset: bool = False) -> float:
    """Peak RSS of the engine's render workers in MiB: what each reply reports, and what the kernel kept for each
    worker reaped after a kill (the test process's other children, a ComfyUI server for one, are not counted)."""
    from llm_sketch.render import worker_peak_rss_kb
    return worker_peak_rss_kb(reset=reset) / 1024


# ---------------------------------------------------------------------------------------- hypothesis strategies


def _strategies():
    from hypothesis import strategies as st

    ext = "127.0.0.1:@@PORT@@"
    sane = st.one_of(st.integers(-200, 400).map(str), st.floats(-1000, 1000).map(lambda f: f"{f:.3g}"))
    num = st.one_of(  # mostly sane numbers, so that most documents reach the renderer and the layout extractor
        sane, sane, sane, st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.sampled_from(["1e300", "-1e308", "1e999", "NaN", "nan", "inf", "-Infinity", "0", "-0", "1e-320", ".5",
                         "5.", "1..2", "+-3", "0x1F", "1e", "١٢", "  7 ", ""]))
    length = st.tuples(num, st.sampled_from(["", "", "px", "%", "em", "mm", "in", "pt", "vw", "junk"])).map("".join)
    coords = st.lists(num, max_size=12).map(lambda xs: " ".join(xs))
    path = st.lists(st.tuples(st.sampled_from(list("MmLlHhVvCcSsQqTtAaZzX")), coords), max_size=10).map(
        lambda segs: " ".join(c + " " + p for c, p in segs))
    transform = st.lists(st.tuples(st.sampled_from(["translate", "scale", "rotate", "matrix", "skewX", "skewY", "evil"]),
                                   coords), max_size=4).map(lambda ts: " ".join(f"{f}({a})" for f, a in ts))
    href = st.sampled_from([
        "#a", "#b", "#c", "#nope", "#", "", f"http://{ext}/h", f"https://{ext}/h", f"//{ext}/h", "file:///etc/passwd",
        "../secret.png", "/etc/passwd", "C:\\x", "javascript:alert(1)", f" HTTP://{ext}/space",
        "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>", "data:image/png;base64,iVBORw0KGgo=",
        "data:image/png;base64,!!!", "data:text/html,<b>x</b>", "shapes.svg#a", "#a#b"])
    paint = st.one_of(st.sampled_from(["red", "none", "#0f0", "#abcdef", "#zzz", "rgb(300,-1,2)", "currentColor",
                                       "transparent", "hsl(1e300,1%,2%)", "inherit"]),
                      href.map(lambda h: f"url({h})"), st.tuples(href, st.sampled_from(["", " red", ")"]))
                      .map(lambda t: f"url('{t[0]}'){t[1]}"))
    text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20)
    css = st.lists(st.one_of(
        st.tuples(st.sampled_from(["rect", "*", "#a", ".c", "svg", "@font-face", "circle:hover"]),
                  st.sampled_from(["fill", "stroke", "background", "src", "filter", "stroke-width", "x"]),
                  st.one_of(paint, length)).map(lambda t: f"{t[0]} {{ {t[1]}: {t[2]} }}"),
        st.sampled_from([f"@import url(http://{ext}/i.css);", "@import 'file:///etc/passwd';", "}}}{{{", "/*",
                         f"rect{{fill:\\75 rl(http://{ext}/esc)}}", "@media print { rect { fill: red } }"])),
        max_size=4).map("\n".join)
    values = {"x": length, "y": length, "width": length, "height": length, "r": length, "rx": length, "ry": length,
              "cx": length, "cy": length, "x1": length, "x2": length, "y1": length, "y2": length, "dx": coords,
              "points": coords, "viewBox": coords, "d": path, "transform": transform, "gradientTransform": transform,
              "patternTransform": transform, "fill": paint, "stroke": paint, "stroke-width": length,
              "stroke-dasharray": coords, "opacity": num, "offset": length, "stop-color": paint, "href": href,
              "xlink:href": href, "id": st.sampled_from(["a", "b", "c", "a", ""]), "clip-path": paint,
              "mask": paint, "filter": paint, "marker-end": paint, "stdDeviation": coords, "font-size": length,
              "style": st.tuples(st.sampled_from(["fill", "stroke", "opacity", "transform", "background-image"]),
                                 st.one_of(paint, length)).map(lambda t: f"{t[0]}:{t[1]}"),
              "onload": st.just("alert(1)"), "preserveAspectRatio": st.sampled_from(["none", "xMidYMid slice", "??"]),
              "xml:base": st.just(f"http://{ext}/base/"), "patternUnits": st.sampled_from(["userSpaceOnUse", "x"]),
              "radius": coords, "order": coords, "numOctaves": num, "baseFrequency": coords}
    attrs = st.lists(st.sampled_from(sorted(values)).flatmap(
        lambda n: st.tuples(st.just(n), st.one_of(values[n], values[n], text))), max_size=6)
    tags = st.sampled_from(["g", "rect", "circle", "ellipse", "line", "polyline", "polygon", "path", "text", "tspan",
                            "use", "image", "defs", "symbol", "svg", "linearGradient", "radialGradient", "stop",
                            "pattern", "clipPath", "mask", "marker", "filter", "feGaussianBlur", "feImage",
                            "feMorphology", "feTurbulence", "switch", "a", "title", "desc", "script", "foreignObject",
                            "set", "animate", "textPath", "tref", "blink", "html:b", "xi:include"])

    def element(kids):
        return st.tuples(tags, attrs, st.one_of(kids, text.map(lambda t: [t])))

    def render(node) -> str:
        if isinstance(node, str):
            return _esc(node)
        tag, attributes, kids = node
        if tag == "style":
            return f"<style>{_esc(kids[0]) if kids else ''}</style>"
        attr = "".join(f' {n}="{_esc(v)}"' for n, v in attributes)
        return f"<{tag}{attr}>{''.join(render(k) for k in kids)}</{tag}>"

    leaf = st.one_of(st.tuples(tags, attrs, st.just([])), css.map(lambda c: ("style", [], [c])))
    tree = st.recursive(leaf, lambda kids: element(st.lists(kids, max_size=5)), max_leaves=30)
    prolog = st.sampled_from(["", "", '<?xml version="1.0" encoding="UTF-8"?>\n', "\ufeff",
                              '<!DOCTYPE svg [<!ENTITY e "&#x3C;rect width=\'9\' height=\'9\'/&#x3E;">]>',
                              '<!DOCTYPE svg SYSTEM "file:///etc/passwd">', f'<?xml-stylesheet href="http://{ext}/s"?>'])
    documents = st.builds(
        lambda pro, root_attrs, kids, tail: (
            pro + f'<svg xmlns="{SVG_NS}" xmlns:xlink="http://www.w3.org/1999/xlink" '
                  'xmlns:html="http://www.w3.org/1999/xhtml" xmlns:xi="http://www.w3.org/2001/XInclude"'
            + "".join(f' {n}="{_esc(v)}"' for n, v in root_attrs) + ">" + "".join(map(render, kids)) + tail + "</svg>"),
        prolog, st.lists(st.tuples(st.sampled_from(["width", "height", "viewBox", "style", "onload"]),
                                   st.one_of(length, coords)), max_size=4),
        st.lists(tree, max_size=6), st.sampled_from(["", "", "&e;", "<use href='#a'/><use href='#a'/>"]))

    seeds = [
        f'{OPEN}<rect id="a" x="10" y="10" width="30" height="20" fill="red"/><circle cx="70" cy="70" r="20"/></svg>',
        f'{OPEN}<defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/><stop offset="1"/></linearGradient>'
        f'<g id="a"><path d="M10 10 L90 10 L50 90 Z" fill="url(#g)"/></g></defs><use href="#a" x="5"/></svg>',
        f'{OPEN}<style>rect {{ fill: blue }}</style><g transform="rotate(30 50 50)"><rect width="40" height="40"/>'
        f'<text x="5" y="60" font-size="12">Hi &amp; bye</text></g><polyline points="0,0 50,50 100,0"/></svg>',
    ]
    tokens = [b"<!DOCTYPE svg [<!ENTITY e 'x'>]>", b"&e;", b"&#0;", b"&#x110000;", b"&amp", b"<use href='#a'/>",
              b' id="a"', b"1e309", b"NaN", b"-", b"\x00", b"\xff\xfe", b"\xed\xa0\x80", b"<![CDATA[", b"]]>",
              b"<!--", b"-->", b"<script>alert(1)</script>", b"</svg>", b"<svg>", b"<g>" * 50, b"\"", b"'", b">", b"<",
              f' xlink:href="http://{ext}/m"'.encode(), b"url(#a)", b' encoding="EBCDIC-US"', b"<?xml ?>",
              b'<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>', b"e+308", b"\r\n"]
    mutation = st.tuples(st.sampled_from(["flip", "insert", "delete", "duplicate"]), st.floats(0, 1),
                         st.one_of(st.sampled_from(tokens), st.binary(min_size=1, max_size=8)), st.integers(1, 64))

    def mutate(seed: str, ops, as_text: str):
        data = bytearray(seed.encode())
        for op, where, payload, n in ops:
            i = int(where * len(data))
            if op == "flip" and data:
                data[min(i, len(data) - 1)] = payload[0]
            elif op == "insert":
                data[i:i] = payload
            elif op == "delete":
                del data[i:i + n]
            else:
                data[i:i] = data[i:i + n] * 8
        if as_text == "bytes":
            return bytes(data)
        return bytes(data).decode("utf-8", "surrogateescape" if as_text == "surrogates" else "replace")

    mutated = st.builds(mutate, st.sampled_from(seeds), st.lists(mutation, min_size=1, max_size=6),
                        st.sampled_from(["bytes", "text", "surrogates"]))
    return documents, mutated


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def svg_documents():
    """Whole SVG documents (str) from a grammar of elements/attributes/values with junk; @@PORT@@ placeholders."""
    return _strategies()[0]


def mutated_svgs():
    """Valid SVGs after 1–6 byte-level mutations, as bytes or as str (U+FFFD or lone surrogates for bad bytes)."""
    return _strategies()[1]


# -------------------------------------------------------------------------------------------------------- script


def main(argv):
    """`python tests/safety.py run DIR`: feed every file in DIR through the pipeline, one line per file."""
    if len(argv) != 3 or argv[1] != "run":
        print("usage: safety.py run DIR", file=sys.stderr)
        return 2
    for path in sorted(Path(argv[2]).iterdir()):
        data = path.read_bytes() if path.suffix == ".bin" else path.read_text(encoding="utf-8")
        r = run_pipeline(data)
        print(f"{path.name}: {'error: ' + str(r.error) if r.error else 'ok'} ({r.seconds:.2f}s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
