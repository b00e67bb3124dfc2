"""A minimal Chrome DevTools Protocol driver for headless Chromium over ``--remote-debugging-pipe``.

The pipe (fd 3: commands in, fd 4: replies and events out, each message JSON ended by NUL) needs
no WebSocket or WebDriver library. Only what the report test uses: open a page in a fresh target,
run JavaScript, click at a point, take a screenshot, and list every network request the page made.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from typing import Any

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
)
#: Generous: a shared 2-core machine; every wait returns as soon as its answer arrives.
WAIT_SECONDS = 60.0


def chromium_path() -> str | None:
    """The Debian chromium binary, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """One headless Chromium process with a fresh profile, one page (target) attached."""

    def __init__(self, width: int = 1280, height: int = 1400) -> None:
        binary = chromium_path()
        if binary is None:
            raise RuntimeError("chromium is not installed (make test installs it: apt-get install chromium)")
        self._profile = tempfile.mkdtemp(prefix="rft-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        command = " ".join([binary, *CHROMIUM_FLAGS, f"--user-data-dir={self._profile}"])
        self._process = subprocess.Popen(
            ["bash", "-c", f"exec {command} 3<&{to_chrome_r} 4>&{from_chrome_w}"],
            pass_fds=(to_chrome_r, from_chrome_w),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for method in ("Network.enable", "Page.enable", "Runtime.enable"):
            self.send(method, session=True)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            poller = select.poll()  # not select.select: it fails on a descriptor number >= 1024
            poller.register(self._from_chrome, select.POLLIN)
            if remaining <= 0 or not poller.poll(remaining * 1000):
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed its debugging pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, session: bool = False
    ) -> dict[str, Any]:
        """Send one command (to the page when ``session``) and return its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for_event(self, *methods: str) -> dict[str, Any]:
        """The first (already received or next) event of the page that is one of ``methods``."""
        deadline = time.monotonic() + WAIT_SECONDS
        for event in self.events:
            if event.get("method") in methods:
                return event
        while True:
            event = self._read_message(deadline)
            self.events.append(event)
            if event.get("method") in methods:
                return event

    def open(self, url: str) -> None:
        """Navigate the page to ``url`` and wait for its load event (or, when only the fragment
        changes, for the same-document navigation)."""
        done = ("Page.loadEventFired", "Page.navigatedWithinDocument")
        self.events = [e for e in self.events if e.get("method") not in done]
        self.send("Page.navigate", {"url": url}, session=True)
        self.wait_for_event(*done)

    def evaluate(self, expression: str) -> Any:
        """The JSON value of ``expression`` in the page."""
        result = self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True
        )
        return result["result"].get("value")

    def wait_until(self, expression: str) -> bool:
        """Poll ``expression`` until it is true (False if it never becomes true in the wait)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if self.evaluate(expression):
                return True
            time.sleep(0.05)
        return False

    def click(self, selector: str) -> None:
        """A real mouse click (press and release) at the centre of the element matching ``selector``."""
        box = self.evaluate(
            f"(function(){{var r=document.querySelector({json.dumps(selector)}).getBoundingClientRect();"
            "return [r.left + r.width / 2, r.top + r.height / 2];})()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1},
                session=True,
            )

    def screenshot(self, path: str) -> None:
        data = self.send("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        with open(path, "wb") as stream:
            stream.write(base64.b64decode(data))

    def requested_urls(self) -> list[str]:
        """Every URL the page asked the network stack for (``Network.requestWillBeSent``)."""
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == self.session
        ]

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self._process.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)
        shutil.rmtree(self._profile, ignore_errors=True)
