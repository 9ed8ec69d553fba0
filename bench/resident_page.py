"""Resident page benchmark: how heavy the chat page is and how soon it shows, on a slow phone.

    python bench/resident_page.py [--runs 5] [--port 8791] [--default-theme]

Starts ``balie serve`` on 127.0.0.1 with a fresh SQLite data directory, one organisation with
a custom theme and logo (``--default-theme``: none), and loads ``/c/<slug>/`` in Debian's
Chromium (``/usr/bin/chromium`` through Playwright, never a downloaded browser) --runs times,
each in a fresh browser context (empty cache), throttled through the DevTools protocol:

- network "Regular 3G": 750 kbit/s down, 250 kbit/s up, 100 ms round trip. These are the
  figures of Chrome DevTools' former "Regular 3G" preset, as WebdriverIO's ``throttleNetwork``
  presets still name them (``Regular3G``);
- CPU slowed down 4× (``Emulation.setCPUThrottlingRate``), as Lighthouse does for a phone.

It prints, per run and as the median: the bytes that came over the wire for the page's HTML,
CSS and JavaScript (``encodedDataLength`` of each response: compressed body plus headers, as
the server sent it; ``Content-Encoding`` listed per file so it is plain what was compressed),
the other requests apart (the logo, the socket), and First Contentful Paint from
``performance.getEntriesByType('paint')``. Targets (issue 17): under 100 KB, FCP under 1 s.
Only talks to 127.0.0.1, stops the server on exit and removes its data. Not a test.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SLUG = "benchstad"
CHROMIUM = "/usr/bin/chromium"
REGULAR_3G = {
    "offline": False,
    "latency": 100,  # ms
    "downloadThroughput": 750 * 1024 / 8,  # bytes/s
    "uploadThroughput": 250 * 1024 / 8,
}
CPU_SLOWDOWN = 4
COUNTED = {"Document", "Stylesheet", "Script"}
TARGET_BYTES = 100 * 1024
TARGET_FCP_MS = 1000


def balie(*args: str) -> list[str]:
    return [sys.executable, "-m", "balie.cli", *args]


def prepare(themed: bool) -> None:
    subprocess.run(balie("migrate", "-v", "0"), check=True, env=os.environ.copy())
    import django

    django.setup()
    from django.db import connections
    from PIL import Image, ImageDraw

    from balie.conversations.actions import do_create_team
    from balie.tenants.actions import do_create_organisation
    from balie.tenants.theme import do_set_theme

    organisation = do_create_organisation(name="Gemeente Benchstad", slug=SLUG)
    do_create_team(organisation, name="Algemeen", is_default=True)
    if themed:
        image = Image.new("RGBA", (160, 192), (0, 0, 0, 0))
        ImageDraw.Draw(image).polygon(
            [(8, 8), (152, 8), (152, 110), (80, 184), (8, 110)], "#a4161a"
        )
        logo = io.BytesIO()
        image.save(logo, "PNG")
        do_set_theme(
            organisation, actor=None, logo=logo.getvalue(), color_primary="#a4161a",
            color_background="#fffbe6", color_text="#2b2b2b", font_family="Fira Sans",
        )  # fmt: skip
    connections.close_all()


def start_server(port: int, log_path: Path) -> subprocess.Popen:
    command = balie("serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port))
    return subprocess.Popen(
        command,
        env=os.environ.copy(),
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(server: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"balie serve exited:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"balie serve not healthy:\n{log_path.read_text()}")


def stop_server(server: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        if server.poll() is not None:
            return
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(wait)
        except subprocess.TimeoutExpired:
            continue


def one_run(browser, url: str) -> dict:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="nl-NL")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", REGULAR_3G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    responses: dict[str, dict] = {}

    def on_response(event):
        response = event["response"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        responses[event["requestId"]] = {
            "url": response["url"],
            "type": event.get("type", "Other"),
            "encoding": headers.get("content-encoding", "identity"),
            "bytes": 0,
        }

    def on_finished(event):
        if event["requestId"] in responses:
            responses[event["requestId"]]["bytes"] = int(event["encodedDataLength"])

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    page.goto(url, wait_until="load", timeout=120_000)
    page.wait_for_function(
        "() => performance.getEntriesByType('paint')"
        ".some(e => e.name === 'first-contentful-paint')",
        timeout=60_000,
    )
    fcp = page.evaluate(
        "() => performance.getEntriesByType('paint')"
        ".find(e => e.name === 'first-contentful-paint').startTime"
    )
    page.wait_for_timeout(500)  # late responses (the socket's upgrade, the logo) reported
    context.close()
    files = list(responses.values())
    counted = [f for f in files if f["type"] in COUNTED]
    return {
        "fcp": fcp,
        "bytes": sum(f["bytes"] for f in counted),
        "other": sum(f["bytes"] for f in files if f["type"] not in COUNTED),
        "files": files,
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs, {cpu}, {platform.system()} {platform.release()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--default-theme", action="store_true", help="no theme, no logo")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="balie-bench-page-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "balie.conf.settings",
            "BALIE_DATA_DIR": str(data_dir),
            "BALIE_SECRET_KEY": secrets.token_urlsafe(50),
            "BALIE_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    print(f"machine: {machine()}; Python {platform.python_version()}")
    print(
        f"network: Regular 3G ({REGULAR_3G['downloadThroughput'] * 8 / 1024:.0f} kbit/s down, "
        f"{REGULAR_3G['uploadThroughput'] * 8 / 1024:.0f} kbit/s up, "
        f"{REGULAR_3G['latency']} ms); CPU {CPU_SLOWDOWN}x slower; 360x740; cache off"
    )
    server = None
    try:
        prepare(themed=not args.default_theme)
        log_path = data_dir / "serve.log"
        server = start_server(args.port, log_path)
        wait_healthy(server, args.port, log_path)
        from playwright.sync_api import sync_playwright

        url = f"http://127.0.0.1:{args.port}/c/{SLUG}/"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            one_run(browser, url)  # warm the server (templates, static files in memory)
            runs = []
            for number in range(1, args.runs + 1):
                result = one_run(browser, url)
                runs.append(result)
                print(
                    f"run {number}: HTML+CSS+JS {result['bytes'] / 1024:.1f} KB, "
                    f"other {result['other'] / 1024:.1f} KB, FCP {result['fcp']:.0f} ms"
                )
            browser.close()
        print("files of the last run (bytes over the wire, type, encoding):")
        for f in sorted(runs[-1]["files"], key=lambda f: -f["bytes"]):
            path = f["url"].split(str(args.port), 1)[-1]
            print(f"  {f['bytes']:>7}  {f['type']:<10} {f['encoding']:<8} {path}")
        size = statistics.median(r["bytes"] for r in runs)
        fcp = statistics.median(r["fcp"] for r in runs)
        print(
            f"median of {len(runs)}: HTML+CSS+JS {size / 1024:.1f} KB "
            f"(target < {TARGET_BYTES // 1024} KB: {'met' if size < TARGET_BYTES else 'MISSED'}), "
            f"FCP {fcp:.0f} ms (target < {TARGET_FCP_MS} ms: "
            f"{'met' if fcp < TARGET_FCP_MS else 'MISSED'})"
        )
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
