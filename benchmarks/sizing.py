"""What one student's server needs, for a JupyterHub admin: memory and CPU, measured, per notebook.

* **Kernel after Run All.** Each notebook runs top to bottom in a fresh kernel through
  ``scripts/execute_notebooks.py`` (the portability matrix's executor, imported, not copied), which
  reports after the last cell the kernel's own peak resident memory (``VmHWM`` on Linux) and its CPU
  seconds (user + system, all threads, its start-up and imports included). Medians over the repeats;
  the repeats go round all the notebooks in turn, so a burst of load elsewhere spreads over them.
* **One Voilà viewer** (Linux only: it reads ``/proc/<pid>/status``). ``voila <notebook>`` is started
  as ``make present`` starts it (the repo's ``jupyter-config/`` on ``JUPYTER_CONFIG_PATH`` and
  ``JUPYTER_PATH``), on 127.0.0.1, a free port, with a token; the page is requested over HTTP, and
  Voilà runs every cell while it renders. Once the server's kernels are idle: the peak memory
  (``VmHWM``) of the kernel that served the page, how many kernels the server holds and their
  resident memory in total (with Voilà's kernel pre-heating on, a pool holds extra kernels, so this
  stays true either way), and the Voilà server's own resident memory. No browser connects, so
  moving a slider afterwards is not included (``--only sliders`` times that).
* **The JupyterLab server itself** (Linux only), idle, after serving ``/lab``, its settings and a
  directory listing: what a student's server holds before any kernel starts.

Memory is in MB of 2**20 bytes. ``python -m benchmarks --only sizing`` prints the table, with the
Markdown rows for INSTRUCTORS.md under it.
"""
from __future__ import annotations

import contextlib
import functools
import importlib.util
import math
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from .common import NOTEBOOKS_DIR, ROOT, median

BIN = Path(sys.executable).parent   # .venv/bin when run as `make bench` does
LINUX_ONLY = ("Linux only: the Voilà viewer's and the JupyterLab server's memory are read from "
              "/proc/<pid>/status; skipped on {platform}")


@functools.lru_cache(maxsize=None)
def executor():
    """``scripts/execute_notebooks.py`` as a module (``scripts/`` is a folder of scripts, not a package)."""
    path = ROOT / "scripts" / "execute_notebooks.py"
    spec = importlib.util.spec_from_file_location("execute_notebooks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def has_proc() -> bool:
    return sys.platform.startswith("linux") and Path("/proc/self/status").is_file()


# ------------------------------------------------------------------------------- kernels after Run All

@contextlib.contextmanager
def _stderr_to(path: Path):
    """Send this process's file descriptor 2 (which kernels inherit) to ``path``: no kernel warnings in the table."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "wb") as fh:
        os.dup2(fh.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def run_all_once(path: Path, timeout: int = 600) -> dict:
    """One Run All of ``path`` in a fresh kernel: ``{"ok", "seconds", "peak_mb", "peak_from", "cpu_seconds", "error"}``.

    The kernel's own warnings ("running over TCP without encryption") are dropped; a failing cell is
    reported in ``error``, from the executor.
    """
    with _stderr_to(Path(os.devnull)):
        r = executor().run(path, timeout)
    rt = r.get("runtime") or {}
    error = r.get("error")
    return {"ok": r["ok"], "seconds": r["seconds"], "peak_mb": rt.get("kernel_peak_mb"),
            "peak_from": rt.get("kernel_peak_from"), "cpu_seconds": rt.get("kernel_cpu_seconds"),
            "error": None if error is None else f"cell {error.get('cell')}: {error.get('ename')}: {error.get('evalue')}"[:300]}


# ------------------------------------------------------------------------------- processes, from /proc

def proc_status_mb(pid: int) -> dict:
    """``{"rss_mb", "peak_mb"}`` of a live process: VmRSS and VmHWM of /proc/<pid>/status."""
    fields = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024   # kB
    return {"rss_mb": fields.get("VmRSS"), "peak_mb": fields.get("VmHWM")}


def _children() -> dict[int, list[int]]:
    """{parent pid: [child pids]} for every process this user can see."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])   # the command name in (...) may hold spaces
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def kernels_of(server_pid: int) -> dict[int, str]:
    """{pid: command line} of the IPython kernels below ``server_pid`` (children, grandchildren, ...)."""
    tree, found, todo = _children(), {}, [server_pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            todo.append(child)
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if "ipykernel" in cmdline:
                found[child] = cmdline
    return found


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a live process, in seconds (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_kernels_idle(server_pid: int, quiet: float = 5.0, timeout: float = 300.0, step: float = 0.5) -> bool:
    """Wait until, for ``quiet`` seconds, the server has held the same kernels using under 5% of a core together.

    With kernel pre-heating a pool kernel runs the notebook before anyone asks, and the pool is refilled
    after a page takes its kernel (Voilà waits its ``fill_delay``, 1 s by default, then starts a kernel
    that runs the notebook): measured before that ends, the totals would depend on timing.
    """
    deadline = time.monotonic() + timeout
    since, before = time.monotonic(), {pid: _cpu_seconds(pid) for pid in kernels_of(server_pid)}
    while time.monotonic() < deadline:
        time.sleep(step)
        now = {pid: _cpu_seconds(pid) for pid in kernels_of(server_pid)}
        if now.keys() != before.keys() or sum(now.values()) - sum(before.values()) >= 0.05 * step:
            since = time.monotonic()
        elif time.monotonic() - since >= quiet:
            return True
        before = now
    return False


# ------------------------------------------------------------------------------- servers started here

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jupyter_env(scratch: Path) -> dict:
    """The Makefile's JUPYTER_ENV (jupyter-config/ in front of any paths already set); runtime files in ``scratch``."""
    env = dict(os.environ)
    for var, sub in (("JUPYTER_CONFIG_PATH", "config"), ("JUPYTER_PATH", "data")):
        env[var] = os.pathsep.join([str(ROOT / "jupyter-config" / sub)] + ([env[var]] if env.get(var) else []))
    env["JUPYTER_RUNTIME_DIR"] = str(scratch)
    return env


class Server:
    """A server process started here, in a session of its own; stopped by its id (then its process group)."""

    def __init__(self, argv: list[str], env: dict, log_path: Path, port: int):
        self.port, self.log_path = port, log_path
        self._log = open(log_path, "w")
        self.proc = subprocess.Popen(argv, env=env, cwd=str(ROOT), stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait_listening(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"exited with code {self.proc.returncode}: {self.log_tail()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            time.sleep(0.2)
        raise RuntimeError(f"not listening on port {self.port} after {timeout:.0f} s: {self.log_tail()}")

    def log_tail(self, lines: int = 5) -> str:
        self._log.flush()
        return " | ".join(self.log_path.read_text(errors="replace").strip().splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM (the server shuts its kernels down), then SIGKILL to its own process group if anything is left."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)   # the group this Popen created (start_new_session)
        if self.proc.poll() is None:
            self.proc.wait(timeout=5)
        self._log.close()


def _get(url: str, timeout: float) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode("utf-8", errors="replace")


def voila_viewer(path: Path, timeout: float = 600.0, extra_args: tuple[str, ...] = ()) -> dict:
    """Serve ``path`` with Voilà, request the page once, and measure the kernels and the server (Linux).

    ``extra_args`` go to ``voila`` after the settings above (e.g. ``("--preheat_kernel=True",)``).
    """
    with tempfile.TemporaryDirectory(prefix="bench-voila-") as scratch:
        scratch = Path(scratch)
        port, token = free_port(), secrets.token_hex(16)
        argv = [str(BIN / "voila"), str(path), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
                f"--token={token}", *extra_args]
        server = Server(argv, jupyter_env(scratch), scratch / "voila.log", port)
        try:
            server.wait_listening()
            wait_until_kernels_idle(server.proc.pid)          # a pre-heated pool runs the notebook first
            start = time.perf_counter()
            html = _get(f"http://127.0.0.1:{port}/?token={token}", timeout)
            page_seconds = time.perf_counter() - start
            settled = wait_until_kernels_idle(server.proc.pid)
            kernels = kernels_of(server.proc.pid)
            status = {pid: proc_status_mb(pid) for pid in kernels}
            match = re.search(r'"kernelId"\s*:\s*"([0-9a-f-]{36})"', html)
            page_kernel = next((pid for pid, cmd in kernels.items() if match and f"kernel-{match.group(1)}" in cmd), None)
            viewer = status[page_kernel] if page_kernel else (max(status.values(), key=lambda s: s["peak_mb"] or 0)
                                                              if status else {})
            server_mb = proc_status_mb(server.proc.pid)
            error = None if "Traceback" not in html else "the page shows a traceback"
        except Exception as exc:  # a viewer that fails is a result, not a crash
            return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        finally:
            server.stop()
    return {"ok": error is None, "error": error, "page_seconds": page_seconds, "idle_before_measuring": settled,
            "kernel_peak_mb": viewer.get("peak_mb"), "kernel_rss_mb": viewer.get("rss_mb"),
            "kernel_found_by": "the page's kernel id" if page_kernel else "largest kernel (page's id not found)",
            "kernels_held": len(kernels), "kernels_rss_mb": sum(s["rss_mb"] or 0 for s in status.values()),
            "server_rss_mb": server_mb["rss_mb"], "server_peak_mb": server_mb["peak_mb"]}


def jupyterlab_server(timeout: float = 60.0) -> dict:
    """Start JupyterLab on notebooks/ (as ``make lab`` does), serve /lab, its settings and a listing; its memory (Linux)."""
    with tempfile.TemporaryDirectory(prefix="bench-lab-") as scratch:
        scratch = Path(scratch)
        port, token = free_port(), secrets.token_hex(16)
        argv = [str(BIN / "jupyter-lab"), "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
                f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={NOTEBOOKS_DIR}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            argv.append("--allow-root")   # as the Makefile's ALLOW_ROOT
        server = Server(argv, jupyter_env(scratch), scratch / "lab.log", port)
        try:
            server.wait_listening()
            base = f"http://127.0.0.1:{port}"
            for url in ("/api/status", "/lab", "/lab/api/settings", "/api/contents"):
                _get(f"{base}{url}?token={token}", timeout)
            mb = proc_status_mb(server.proc.pid)
            kernels = len(kernels_of(server.proc.pid))
        except Exception as exc:
            return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        finally:
            server.stop()
    return {"ok": True, "error": None, "rss_mb": mb["rss_mb"], "peak_mb": mb["peak_mb"], "kernels_held": kernels}


# ------------------------------------------------------------------------------- the section

def _median_of(rows: list[dict], key: str):
    values = [r[key] for r in rows if r.get("ok") and r.get(key) is not None]
    return median(values) if values else None


def run(pattern: str = "*.ipynb", repeats: int = 3, voila: bool = True, lab: bool = True, log=print) -> dict:
    """The ``sizing`` section: per notebook, the kernel after Run All and one Voilà viewer; the JupyterLab server."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1; got {repeats}")
    paths = sorted(NOTEBOOKS_DIR.glob(pattern))
    proc = has_proc()
    note = None if proc else LINUX_ONLY.format(platform=sys.platform)
    if note and (voila or lab):
        log(f"  {note}")
    runs = {p.stem: [] for p in paths}
    viewers = {p.stem: [] for p in paths}
    for i in range(repeats):
        for path in paths:
            r = run_all_once(path)
            runs[path.stem].append(r)
            msg = (f"peak {r['peak_mb']:.0f} MB, {r['cpu_seconds']:.1f} CPU s" if r["ok"] and r["peak_mb"]
                   else f"FAILED ({r['error']})")
            log(f"  [{i + 1}/{repeats}] {path.stem}: Run All in {r['seconds']:.1f} s, kernel {msg}")
            if voila and proc:
                v = voila_viewer(path)
                viewers[path.stem].append(v)
                msg = (f"page in {v['page_seconds']:.1f} s, kernel peak {v['kernel_peak_mb']:.0f} MB; server holds "
                       f"{v['kernels_held']} kernel(s), {v['kernels_rss_mb']:.0f} MB; Voilà server {v['server_rss_mb']:.0f} MB"
                       if v["ok"] else f"FAILED ({v['error']})")
                log(f"  [{i + 1}/{repeats}] {path.stem}: Voilà viewer {msg}")
    lab_runs = []
    if lab and proc:
        for i in range(repeats):
            r = jupyterlab_server()
            lab_runs.append(r)
            log(f"  [{i + 1}/{repeats}] JupyterLab server, idle: "
                + (f"{r['rss_mb']:.0f} MB" if r["ok"] else f"FAILED ({r['error']})"))
    notebooks = {}
    for stem in runs:
        rs, vs = runs[stem], viewers[stem]
        row = {"ok": all(r["ok"] for r in rs), "errors": sorted({r["error"] for r in rs if r["error"]}),
               "kernel_peak_mb": _median_of(rs, "peak_mb"), "kernel_cpu_seconds": _median_of(rs, "cpu_seconds"),
               "run_all_seconds": _median_of(rs, "seconds"),
               "kernel_peak_from": sorted({r["peak_from"] for r in rs if r.get("peak_from")}),
               "runs": rs}
        if vs:
            row["voila"] = {"ok": all(v["ok"] for v in vs), "errors": sorted({v["error"] for v in vs if v.get("error")}),
                            **{k: _median_of(vs, k) for k in ("kernel_peak_mb", "kernels_held", "kernels_rss_mb",
                                                              "server_rss_mb", "page_seconds")},
                            "runs": vs}
        notebooks[stem] = row
    out = {"repeats": repeats, "notebooks": notebooks, "proc": proc, "note": note}
    if lab_runs:
        out["jupyterlab"] = {"ok": all(r["ok"] for r in lab_runs), "rss_mb": _median_of(lab_runs, "rss_mb"),
                             "peak_mb": _median_of(lab_runs, "peak_mb"), "runs": lab_runs}
    return out


def _num(v, spec: str = ".0f") -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else format(v, spec)


def markdown_rows(section: dict) -> str:
    """The sizing table as Markdown, one row per notebook, for INSTRUCTORS.md."""
    lines = ["| Notebook | Kernel peak after Run All (MB) | CPU of Run All (s) | One Voilà viewer: kernel peak (MB) |",
             "|---|---|---|---|"]
    for stem, row in section["notebooks"].items():
        v = row.get("voila") or {}
        lines.append(f"| `{stem}` | {_num(row['kernel_peak_mb'])} | {_num(row['kernel_cpu_seconds'], '.1f')} "
                     f"| {_num(v.get('kernel_peak_mb'))} |")
    return "\n".join(lines)
