"""Support for tests/test_browser.py: local servers, a headless Chromium, and a record of every request.

Nothing here talks to the network: the servers listen on 127.0.0.1 only, Chromium runs with its
background services off, and every request the page makes, or any Python process of the servers
(JupyterLab, Voilà and the kernels they start) tries to make, is recorded so that the tests can
fail on one that leaves 127.0.0.1.
"""
from __future__ import annotations

import ipaddress
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
if str(ROOT) not in sys.path:  # benchmarks/ is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))
from benchmarks.sizing import free_port  # noqa: E402,F401  (one definition: a free port on 127.0.0.1)
# The same configuration `make lab` and `make present` use (see the Makefile): offline settings,
# no news popup, the lecture template for Voilà.
JUPYTER_CONFIG = ROOT / "jupyter-config"

#: Set to 1 (as .ci/run does) to turn "Chromium is missing" from a skip into a failure.
REQUIRE_ENV = "RNN_COURSE_REQUIRE_BROWSER"
#: Optional path of a Chromium / Chrome binary, if it is not on PATH as `chromium`.
CHROMIUM_ENV = "RNN_COURSE_CHROMIUM"

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    # keep the browser itself off the network (updates, sync, field trials, QUIC probes)
    "--disable-background-networking", "--disable-component-update", "--no-first-run",
    "--disable-sync", "--disable-quic", "--disable-default-apps", "--disable-extensions",
    "--disable-domain-reliability", "--metrics-recording-only", "--no-pings",
    "--disable-features=Translate,OptimizationHints,MediaRouter,InterestFeedContentSuggestions",
]


def browser_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip() not in ("", "0", "false", "no")


def find_chromium() -> str | None:
    """Path of the Chromium to drive, or None. Playwright's own browser download is not used."""
    candidates = [os.environ.get(CHROMIUM_ENV, "")]
    candidates += [shutil.which(n) or "" for n in ("chromium", "chromium-browser", "google-chrome")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def missing_requirements() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    if find_chromium() is None:
        return ("no Chromium found (on Debian/Ubuntu: apt-get install -y chromium; or set "
                f"{CHROMIUM_ENV}=/path/to/chromium)")
    for tool in ("jupyter-lab", "voila"):
        if not (BIN / tool).exists():
            return f"{tool} is not installed next to {sys.executable}"
    return None


def is_local_url(url: str) -> bool:
    """True for requests that stay on this machine: 127.0.0.1 (any port), data: and blob: URLs."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome", "chrome-extension", "devtools"):
        return True
    return is_loopback(parts.hostname or "")


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# -- a record of outgoing connections from every Python process of the servers -----------------

_GUARD = r'''
# Written by tests/browser_support.py: records every socket connection or name lookup this Python
# process makes to a host other than the loopback interface. Loaded as sitecustomize through
# PYTHONPATH, so it covers the Jupyter server, Voilà and every kernel they start.
import ipaddress as _ip, json as _json, os as _os, sys as _sys, time as _time

_LOG = _os.environ.get("RNN_COURSE_NET_LOG")

def _local(host):
    if not isinstance(host, str) or host in ("", "localhost") or host.startswith("/"):
        return True
    try:
        return _ip.ip_address(host.strip("[]").split("%")[0]).is_loopback
    except ValueError:
        return False

def _hook(event, args):
    if event not in ("socket.connect", "socket.getaddrinfo", "socket.sendto"):
        return
    try:
        if event == "socket.getaddrinfo":
            host, port = args[0], args[1]
        else:
            address = args[1] if event == "socket.connect" else args[-1]
            if not isinstance(address, tuple):
                return  # AF_UNIX
            host, port = address[0], address[1]
        if isinstance(host, bytes):
            host = host.decode()
        if host is None or _local(host):
            return
        with open(_LOG, "a") as f:
            f.write(_json.dumps({"event": event, "host": host, "port": port, "pid": _os.getpid(),
                                 "argv": " ".join(_sys.argv)[:200], "time": _time.time()}) + "\n")
    except Exception:
        pass

if _LOG:
    _sys.addaudithook(_hook)
'''


def write_network_guard(folder: Path) -> Path:
    """Write sitecustomize.py into ``folder`` (to go on PYTHONPATH); return the log file it writes to."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(textwrap.dedent(_GUARD))
    log = folder / "outgoing.jsonl"
    log.touch()
    return log


def read_network_log(log: Path) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def server_env(scratch: Path, guard_dir: Path, net_log: Path) -> dict:
    """Environment for the servers: the repo's Jupyter configuration, and nothing read from or written to ~."""
    env = dict(os.environ)
    home = scratch / "home"
    for sub in ("config", "data", "runtime", "ipython", "mpl"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env.update({
        "JUPYTER_CONFIG_PATH": str(JUPYTER_CONFIG / "config"),
        "JUPYTER_PATH": str(JUPYTER_CONFIG / "data"),
        # a user's own ~/.jupyter settings must neither break nor fix the test
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "MPLCONFIGDIR": str(home / "mpl"),
        "PYTHONPATH": os.pathsep.join([str(guard_dir)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])),
        "RNN_COURSE_NET_LOG": str(net_log),
    })
    env.pop("MPLBACKEND", None)
    return env


class Server:
    """A server process started by the test, stopped by its process id (and its process group)."""

    def __init__(self, name: str, argv: list[str], env: dict, cwd: Path, log_path: Path, ready_url: str):
        self.name, self.argv, self.ready_url, self.log_path = name, argv, ready_url, log_path
        self._log = open(log_path, "w")
        self.proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait_ready(self, timeout: float = 90.0) -> float:
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.ready_url, timeout=2) as r:
                    if r.status == 200:
                        return time.monotonic() - start
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer {self.ready_url} within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        if not self._log.closed:
            self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM to the server (it shuts its kernels down), then SIGKILL to its process group if needed."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:  # kernels left behind by a server that died: same process group, started by us
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.proc.poll() is None:
            self.proc.wait(timeout=5)
        self._log.close()


def api(url: str, method: str = "GET") -> object:
    req = urllib.request.Request(url, method=method)
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
    return json.loads(body) if body else None
