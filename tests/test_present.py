"""`make present NB=..`: the lecture view is ready before anyone opens it, and opens at once.

For every notebook, in headless Chromium (as tests/test_browser.py), this starts what `make present`
starts (scripts/present.py: Voilà with two pre-heated kernels and the repo's jupyter-config/) and
measures

* present-to-ready: from starting the server to its "Ready: <url>" line (both kernels have run
  every cell);
* page-open-to-usable, for the first opening (a browser with nothing cached) and for a refresh:
  from the request to every demo's figure drawn, and to the first slider's figure answering a key;
* the math: every formula of the Markdown cells typeset within seconds, none left as TeX source
  (checked, not timed: the lecture template typesets them after the figures are up, see
  `_check_math_typeset`);
* a drag: every slider of every demo dragged with the mouse from one end of its range to the other
  over one second, then released. Measured: the time from the release to the last new figure, and
  how many figures arrived after the release. Checked: the figure the page settles on is the one
  for the final value (moving the slider away with the keyboard and back gives the same image),
  and no backlog of stale frames follows the release (at most the frame that was being drawn and
  the final one: ipywidgets sends at most one update while another is in flight, keeping the latest).

One known, intermittent failure of ipywidgets on a loaded machine ("Error displaying widget: model not
found", see tests/test_browser.py) gets one reload, served by the second pre-heated kernel and reported
("reloaded once"); no refresh is then measured. Any other error fails.
It checks that each opening was served by a pre-heated kernel that had already run the notebook
(Voilà logs "Using pre-heated kernel"; the page needed no cell to run), with no error and no request
leaving 127.0.0.1. The times are printed and written to test-artifacts/present-report.json; they
are not asserted (they depend on the machine and its load), the mechanism that makes them short is.
"""
from __future__ import annotations

import json
import secrets
import sys
import time
from pathlib import Path

import pytest

import browser_support as bs
from conftest import ROOT, notebook_paths
from test_browser import INSTRUMENT_JS, check_no_outside_requests, expected_demos, page_errors

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PATHS = notebook_paths()
IDS = [p.stem for p in PATHS]
REPORT = ROOT / "test-artifacts" / "present-report.json"
VIEWPORT = {"width": 1280, "height": 720}
READY_TIMEOUT_S = 300

#: Every demo drawn, or an error shown instead (then waiting longer would not help).
DRAWN_OR_ERROR_JS = """(n) => document.querySelectorAll('.rnn-demo img.widget-image[src]').length >= n
  || Array.from(document.querySelectorAll('.jp-OutputArea-output')).some(o =>
         /Traceback|There was an error|Error displaying widget|This demo failed/.test(o.textContent))"""
#: ipywidgets' known, intermittent failure on a loaded machine (see tests/test_browser.py): reported, one reload.
MODEL_NOT_FOUND = "Error displaying widget: model not found"


@pytest.fixture(scope="module")
def setting(tmp_path_factory, request):
    reason = bs.missing_requirements()
    if reason:
        if bs.browser_required():
            pytest.fail(f"browser tests required ({bs.REQUIRE_ENV}=1) but cannot run: {reason}")
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    scratch = tmp_path_factory.mktemp("present")
    guard_dir = scratch / "guard"
    net_log = bs.write_network_guard(guard_dir)
    report: dict = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=bs.find_chromium(), args=bs.CHROMIUM_FLAGS, headless=True)
        try:
            yield {"scratch": scratch, "env": bs.server_env(scratch, guard_dir, net_log), "net_log": net_log,
                   "browser": browser, "report": report}
        finally:
            browser.close()
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2))
    tr = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if tr and capture and report:
        with capture.global_and_fixture_disabled():
            tr.write_line("")
            tr.write_line("make present: seconds to ready, and page-open to figures drawn / first slider answered")
            tr.write_line(f"  {'notebook':34s} {'ready':>6s} {'first open':>16s} {'refresh':>16s} {'kernels, MB':>12s}")
            for nb, r in sorted(report.items()):
                o1, o2 = r["opens"]
                kernels = f"{r['kernels_when_ready']}, {r['kernels_mb_when_ready']:.0f}" if r["kernels_when_ready"] else "-"
                refresh = f"{o2['drawn_s']:8.2f} /{o2['usable_s']:6.2f}" if o2 else f"{'-':>16s}"
                tr.write_line(f"  {nb:34s} {r['ready_s']:6.1f} {o1['drawn_s']:7.2f} /{o1['usable_s']:6.2f} "
                              f"{refresh} {kernels:>12s}")
            for nb, r in sorted(report.items()):
                for why in r.get("reloaded", []):
                    tr.write_line(f"  reloaded once: {nb}: {why} (no refresh measured)")
            tr.write_line("drag across the whole range in 1 s, release: ms from release to the final figure "
                          "(frames after release)")
            for nb, r in sorted(report.items()):
                for d in r.get("drags", []):
                    tr.write_line(f"  {nb:34s} demo {d['demo']} {d['slider']:24s} {d['release_to_final_ms']:7.0f} ms "
                                  f"({d['frames_after_release']})")
            tr.write_line(f"  ({REPORT})")


def _kernels_memory_mb(server_pid: int) -> tuple[int, float] | None:
    """(number of kernel processes, their total resident MB) under the server; None where /proc is missing."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    count, kb = 0, 0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != server_pid:                  # field 4 of stat: the parent's pid
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        rss = [line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")]
        if rss:
            count, kb = count + 1, kb + int(rss[0])
    return count, round(kb / 1024, 1)


def _open_and_use(page, open_page, expected: int, what: str) -> dict:
    """Open (or reload) the page; seconds to every figure drawn, then to the first slider's new figure.

    If the page shows errors instead of its figures, ``{"errors": [...]}`` (the caller decides).
    """
    start = time.monotonic()
    open_page()
    page.wait_for_function(DRAWN_OR_ERROR_JS, arg=expected, timeout=120_000)
    drawn = time.monotonic() - start
    errors = page_errors(page)
    if errors:
        return {"errors": errors}
    demo = page.locator(".rnn-demo").first.element_handle()
    img = demo.query_selector("img.widget-image")
    handle = demo.query_selector(".noUi-handle")
    before = img.get_attribute("src")
    handle.focus()
    page.keyboard.press("ArrowLeft" if handle.get_attribute("aria-valuenow") != handle.get_attribute("aria-valuemin")
                        else "ArrowRight")
    page.wait_for_function("([img, before]) => img.getAttribute('src') !== before", arg=[img, before], timeout=60_000)
    usable = time.monotonic() - start
    errors = page_errors(page)
    assert not errors, f"{what}: errors on the page:\n" + "\n---\n".join(errors)
    return {"drawn_s": round(drawn, 2), "usable_s": round(usable, 2)}


#: [Markdown cells shown and still waiting for their math (hidden ones, the navigation bars, may wait),
#:  cells with a "$" left in their text, MathJax errors, formulas typeset]
MATH_JS = """() => {
  const cells = Array.from(document.querySelectorAll('.jp-MarkdownOutput, .lecture-math-later'));
  return [Array.from(document.querySelectorAll('.lecture-math-later')).filter(c => c.getClientRects().length).length,
          cells.filter(c => c.textContent.includes('$')).map(c => c.textContent.slice(0, 80)),
          document.querySelectorAll('mjx-merror').length, document.querySelectorAll('mjx-container').length];
}"""


#: No Markdown cell shown on the page is still waiting for its math.
MATH_DONE_JS = """() => !Array.from(document.querySelectorAll('.lecture-math-later')).some(c => c.getClientRects().length)"""


def _check_math_typeset(page, what: str) -> None:
    """Every formula of every Markdown cell is typeset within seconds of the page opening.

    The lecture template (jupyter-config/data/voila/templates/lecture) takes the Markdown cells out of
    Voilà's start-up typesetting and typesets them itself, a cell at a time; if a Voilà release changed
    what that relies on, the formulas would stay as $...$ source. Done before the drags: a cell typeset
    above a slider moves it.
    """
    try:
        page.wait_for_function(MATH_DONE_JS, timeout=20_000)
    except Exception:                                       # reported below, with what is left
        pass
    waiting, raw, errors, formulas = page.evaluate(MATH_JS)
    assert waiting == 0, f"{what}: {waiting} Markdown cells never had their math typeset"
    assert not raw, f"{what}: Markdown cells still show TeX source: {raw[:3]}"
    assert errors == 0, f"{what}: MathJax could not typeset {errors} formula(s)"
    assert formulas > 0, f"{what}: no formula typeset at all"


WATCH_JS = """(img) => {
  img.__frames = [];
  if (img.__watch) { img.__watch.disconnect(); }
  img.__watch = new MutationObserver(() => img.__frames.push(performance.now()));
  img.__watch.observe(img, {attributes: true, attributeFilter: ['src']});
  window.__released = null;
  window.addEventListener('pointerup', () => { window.__released = performance.now(); }, {once: true, capture: true});
}"""
SETTLED_MS = 2000
#: The image's bytes as a hex digest (its src is a new blob: URL for every frame, even an identical one).
DIGEST_JS = """async (img) => {
  const bytes = await (await fetch(img.src)).arrayBuffer();
  const hash = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(hash)).map(b => b.toString(16).padStart(2, '0')).join('');
}"""


def _settle(page, img, what: str) -> list[float]:
    """Wait until SETTLED_MS have passed since the release and since the image last changed; return its changes."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        frames, now, released = page.evaluate("(img) => [img.__frames, performance.now(), window.__released]", img)
        if released is not None and now - max(frames[-1] if frames else 0, released) > SETTLED_MS:
            return frames
        page.wait_for_timeout(100)
    if released is None:
        raise AssertionError(f"{what}: the page saw no release of the mouse")
    raise AssertionError(f"{what}: the figure kept changing for a minute after the drag "
                         f"({len(frames)} frames, the last {now - (frames[-1] if frames else released):.0f} ms ago)")


def _drag(page, demo_index: int, slider_index: int, what: str) -> dict:
    """Drag one slider from its left end to its right end in about one second; measure what follows the release."""
    demo = page.locator(".rnn-demo").nth(demo_index).element_handle()
    img = demo.query_selector("img.widget-image")
    slider = demo.query_selector_all(".widget-slider")[slider_index]
    label = (slider.query_selector(".widget-label") or slider).text_content().strip()
    handle = slider.query_selector(".noUi-handle")
    track = slider.query_selector(".noUi-target") or slider
    handle.scroll_into_view_if_needed()
    box, hbox = track.bounding_box(), handle.bounding_box()
    y = hbox["y"] + hbox["height"] / 2
    page.mouse.move(hbox["x"] + hbox["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(box["x"], y, steps=5)                       # to the left end first
    page.evaluate(WATCH_JS, img)
    for k in range(1, 21):                                      # then across the range: 20 moves, 50 ms apart
        page.mouse.move(box["x"] + box["width"] * k / 20, y)
        page.wait_for_timeout(50)
    page.mouse.move(box["x"] + box["width"] + 20, y)
    page.mouse.up()
    frames = _settle(page, img, f"{what} ({label})")
    released = page.evaluate("() => window.__released")
    after = [t for t in frames if t > released]
    settled = page.evaluate(DIGEST_JS, img)
    value = handle.get_attribute("aria-valuetext")
    # the settled figure is the final value's: away one step with the keyboard and back gives the same image
    for key in ("ArrowLeft", "ArrowRight"):
        before = img.get_attribute("src")
        handle.focus()
        page.keyboard.press(key)
        page.wait_for_function("([img, before]) => img.getAttribute('src') !== before", arg=[img, before],
                               timeout=60_000)
    page.wait_for_timeout(300)
    assert handle.get_attribute("aria-valuetext") == value, f"{what} ({label}): the keyboard did not return to the value"
    assert page.evaluate(DIGEST_JS, img) == settled, \
        f"{what} ({label}): the figure after the drag is not the final value's ({value}; frames {frames}, released {released})"
    assert len(after) <= 2, f"{what} ({label}): {len(after)} figures arrived after the release (a backlog)"
    return {"demo": demo_index + 1, "slider": label, "frames_during_drag": len(frames) - len(after),
            "frames_after_release": len(after),
            "release_to_final_ms": round(max(after[-1] - released, 0.0), 1) if after else 0.0}


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_present_is_ready_before_the_page_is_opened(path, setting):
    expected = expected_demos(path)
    if expected == 0:
        pytest.skip(f"{path.name} has no demo")
    port, token = bs.free_port(), secrets.token_hex(16)
    log = setting["scratch"] / f"{path.stem}.log"
    argv = [sys.executable, str(ROOT / "scripts" / "present.py"), str(path), "--no-browser",
            f"--port={port}", "--Voila.port_retries=0", f"--token={token}"]
    start = time.monotonic()
    server = bs.Server("present", argv, setting["env"], path.parent, log, f"http://127.0.0.1:{port}/?token={token}")
    context = setting["browser"].new_context(viewport=VIEWPORT, service_workers="block")   # nothing cached
    context.add_init_script(INSTRUMENT_JS)
    seen = []
    try:
        while "Ready (" not in log.read_text(errors="replace"):
            assert server.proc.poll() is None, f"{path.name}: scripts/present.py exited:\n{server.log_tail()}"
            assert time.monotonic() - start < READY_TIMEOUT_S, f"{path.name}: not ready in {READY_TIMEOUT_S} s"
            time.sleep(0.2)
        ready_s = time.monotonic() - start
        memory = _kernels_memory_mb(server.proc.pid)
        page = context.new_page()
        page.on("request", lambda r: seen.append({"url": r.url, "local": bs.is_local_url(r.url)}))
        page.set_default_timeout(60_000)
        url = f"http://127.0.0.1:{port}/?token={token}"
        first = _open_and_use(page, lambda: page.goto(url), expected, f"{path.name} first opening")
        reloaded, refresh = [], None
        if "errors" in first and all(MODEL_NOT_FOUND in e for e in first["errors"]):
            # the second pre-heated kernel serves the reload; there is none left for a refresh to measure
            reloaded.append(f"{len(first['errors'])} widget(s) not found on the first opening")
            first = _open_and_use(page, page.reload, expected, f"{path.name} first opening, reloaded")
        else:
            refresh = _open_and_use(page, page.reload, expected, f"{path.name} refresh")
        for what, opened in (("first opening", first), ("refresh", refresh)):
            assert not (opened and "errors" in opened), \
                f"{path.name} {what}: errors on the page:\n" + "\n---\n".join(opened["errors"])
        _check_math_typeset(page, path.name)
        drags = []
        for i in range(expected):
            sliders = page.locator(".rnn-demo").nth(i).locator(".widget-slider").count()
            drags += [_drag(page, i, j, f"{path.name} demo {i + 1} slider {j + 1}") for j in range(sliders)]
        errors = page_errors(page)
        assert not errors, f"{path.name}: errors after the drags:\n" + "\n---\n".join(errors)
        server_log = server.log_tail(400)
        assert server_log.count("Using pre-heated kernel") == 2, \
            f"{path.name}: both openings must be served by pre-heated kernels:\n{server_log}"
        check_no_outside_requests(seen, f"present {path.name}")
        setting["report"][path.stem] = {"ready_s": round(ready_s, 1), "opens": [first, refresh], "drags": drags,
                                        "reloaded": reloaded,
                                        "kernels_when_ready": memory and memory[0], "kernels_mb_when_ready": memory and memory[1]}
    finally:
        context.close()
        server.stop()
    outgoing = bs.read_network_log(setting["net_log"])
    assert not outgoing, f"{path.name}: the server or a kernel connected outside 127.0.0.1: {outgoing}"


def test_present_rejects_what_it_cannot_serve(tmp_path):
    """A missing notebook or an empty pool is refused with a message, before any server starts."""
    import subprocess

    script = [sys.executable, str(ROOT / "scripts" / "present.py")]
    missing = subprocess.run(script + [str(tmp_path / "nope.ipynb")], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "notebook must be an existing .ipynb file" in missing.stderr
    empty = subprocess.run(script + [str(PATHS[0]), "--pool-size", "0"], capture_output=True, text=True, timeout=60)
    assert empty.returncode == 2 and "--pool-size must be 1 or more, got 0" in empty.stderr
