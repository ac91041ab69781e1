"""Open a page in Debian's headless Chromium and report what a person would see: console errors, failed or
outside requests, the text, and a screenshot.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: messages are JSON
ended by a NUL byte, the browser reads fd 3 and writes fd 4), so no port is opened and no websocket client
is needed. Host resolution is mapped to nothing: a page that tries to fetch anything from a network fails
here, and the request is recorded.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_NAMES = ("chromium", "chromium-browser")
INSTALL_HINT = "apt-get update && apt-get install -y chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-pipe",
]


def find_chromium() -> str | None:
    """The chromium executable on PATH, or None."""
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


@dataclass
class PageResult:
    """What loading a page showed."""

    url: str
    text: str = ""
    title: str = ""
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)  # anything not file: or data:
    failed_requests: list[str] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)
    element_texts: dict[str, str] = field(default_factory=dict)
    screenshot: bytes = b""


class ChromiumError(RuntimeError):
    pass


class _Pipe:
    """One DevTools session over the browser's pipe."""

    def __init__(self, process: subprocess.Popen, to_browser: int, from_browser: int) -> None:
        self.process, self.to_browser, self.from_browser = process, to_browser, from_browser
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise ChromiumError("timed out waiting for Chromium")
            chunk = os.read(self.from_browser, 1 << 16)
            if not chunk:
                raise ChromiumError(f"Chromium closed the DevTools pipe (exit code {self.process.poll()})")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def send(
        self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30
    ) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise ChromiumError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + timeout
        while True:
            event = self._read_message(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event


def _high_pipe() -> tuple[int, int]:
    """A pipe whose ends are numbered 10 or more, clear of the fds 3 and 4 the browser is given."""
    ends = os.pipe()
    high = tuple(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in ends)
    for fd in ends:
        os.close(fd)
    return high[0], high[1]


def load_page(
    path: Path,
    width: int = 1280,
    height: int = 900,
    full_page: bool = False,
    selectors: tuple[str, ...] = (),
    chromium: str | None = None,
    timeout: float = 60,
) -> PageResult:
    """Open ``path`` (a local HTML file) in headless Chromium and collect what it shows.

    Args:
        path: the page.
        width, height: the viewport in CSS pixels.
        full_page: screenshot the whole page rather than the first viewport.
        selectors: CSS selectors whose text content to return in ``element_texts``.
        chromium: the executable (default: found on PATH).
        timeout: seconds to wait for each step.
    """
    executable = chromium or find_chromium()
    if executable is None:
        raise ChromiumError(f"chromium is not installed ({INSTALL_HINT})")
    url = path.resolve().as_uri()
    result = PageResult(url)
    with tempfile.TemporaryDirectory(prefix="ncbi-gene-kg-chromium-") as profile, tempfile.TemporaryFile() as log:
        to_browser_r, to_browser_w = _high_pipe()
        from_browser_r, from_browser_w = _high_pipe()

        # the browser reads commands on fd 3 and writes replies to fd 4: bash moves our pipe ends there
        wire = f'exec "$0" "$@" 3<&{to_browser_r} 4>&{from_browser_w} {to_browser_r}<&- {from_browser_w}>&-'
        process = subprocess.Popen(
            [
                "/bin/bash",
                "-c",
                wire,
                executable,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            pass_fds=(to_browser_r, from_browser_w),
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        pipe = _Pipe(process, to_browser_w, from_browser_r)
        try:
            _drive(pipe, url, result, width, height, full_page, selectors, timeout)
        except (ChromiumError, OSError) as error:
            log.seek(0)
            tail = log.read()[-2000:].decode(errors="replace")
            raise ChromiumError(f"{error}; Chromium's log ends: {tail}") from error
        finally:
            with contextlib.suppress(ChromiumError, OSError):
                pipe.send("Browser.close", timeout=5)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            os.close(to_browser_w)
            os.close(from_browser_r)
    return result


def _drive(
    pipe: _Pipe,
    url: str,
    result: PageResult,
    width: int,
    height: int,
    full_page: bool,
    selectors: tuple[str, ...],
    timeout: float,
) -> None:
    target = pipe.send("Target.createTarget", {"url": "about:blank"}, timeout=timeout)["targetId"]
    session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        pipe.send(f"{domain}.enable", session=session)
    pipe.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    pipe.events.clear()
    pipe.send("Page.navigate", {"url": url}, session=session, timeout=timeout)
    pipe.wait_for("Page.loadEventFired", timeout=timeout)

    def evaluate(expression: str) -> Any:
        reply = pipe.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=session,
            timeout=timeout,
        )
        if "exceptionDetails" in reply:
            raise ChromiumError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    # every image decoded (the plots are data URIs: a broken one has no natural width)
    evaluate("Promise.all([...document.images].map(i => i.decode().catch(() => null)))")
    result.broken_images = evaluate(
        "[...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt || i.src.slice(0, 60))"
    )
    result.title = evaluate("document.title")
    result.text = evaluate("document.body.innerText")
    for selector in selectors:
        result.element_texts[selector] = evaluate(
            f"(document.querySelector({json.dumps(selector)}) || {{}}).innerText ?? null"
        )
    params: dict[str, Any] = {"format": "png"}
    if full_page:
        metrics = pipe.send("Page.getLayoutMetrics", session=session)["cssContentSize"]
        params |= {
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": metrics["width"], "height": metrics["height"], "scale": 1},
        }
    result.screenshot = base64.b64decode(
        pipe.send("Page.captureScreenshot", params, session=session, timeout=timeout)["data"]
    )
    for event in pipe.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            args = params.get("args", [])
            result.console_errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in args))
        elif method == "Runtime.exceptionThrown":
            result.console_errors.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            result.console_errors.append(params["entry"].get("text", ""))
        elif method == "Network.requestWillBeSent":
            request_url = params["request"]["url"]
            if not request_url.startswith(("file:", "data:")):
                result.outside_requests.append(request_url)
        elif method == "Network.loadingFailed":
            result.failed_requests.append(f"{params.get('errorText')} ({params.get('requestId')})")


def require_chromium() -> str:
    """The chromium executable; skip the test without it, but fail in CI (CI must run the browser tests)."""
    import pytest

    path = find_chromium()
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"chromium is not installed, and CI must run the browser tests ({INSTALL_HINT})")
    pytest.skip(f"chromium is not installed ({INSTALL_HINT})")


def ink(png: bytes) -> tuple[float, int]:
    """The share of a screenshot's pixels that are not background white, and how many colours it has."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    pixels = image.width * image.height
    histogram = image.getcolors(maxcolors=pixels) or []
    white = sum(n for n, rgb in histogram if min(rgb) >= 250)
    return 1 - white / pixels, len(histogram)
