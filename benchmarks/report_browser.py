"""Time to interactive of report.html in headless Chromium, and screenshots.

    python benchmarks/report_browser.py RESULTS_DIR [--plans 4 200] [--out DIR] [--runs 3]

RESULTS_DIR is a saved analysis (``actionnlp score`` output). For each number of
plans the four (or more) saved plans are copied under renamed prisons (``HMP Sample
000`` ...; no rescoring), the report is written, opened from disk in the system
Chromium (``/usr/bin/chromium`` driven by Debian's ``chromedriver`` through
Selenium), and timed: **time to interactive** is ``performance.now()`` when the
explorer's script has parsed the data, filled the filters, drawn the chart and
rendered the first page (it sets ``data-explorer-ready``), i.e. milliseconds from
navigation start. Also timed: a free-text search over every action and a click on a
comparison cell (input to rendered rows). Prints one JSON line; screenshots go to
``--out`` (``report-<n>-top.png``, ``report-<n>-explorer.png``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def driver(width: int = 1400, height: int = 1000):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument(f"--window-size={width},{height}")
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait_ready(browser, timeout: float = 120.0) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        ready = browser.execute_script("return document.documentElement.dataset.explorerReady")
        if ready:
            return float(ready)
        time.sleep(0.05)
    raise TimeoutError("the explorer never became ready")


def measure(browser, path: Path, out: Path, n: int, shots: bool) -> dict:
    from selenium.webdriver.common.by import By

    browser.get(path.as_uri())
    tti = wait_ready(browser)
    result = {"tti_ms": tti, "bytes": path.stat().st_size}
    # search: time inside the page from the input event to the rendered rows
    result["search_ms"] = browser.execute_script(
        "var q=document.getElementById('f-q'), p=document.getElementById('x-page');"
        "q.value='monthly'; var t=performance.now(); var before=p.textContent;"
        "q.dispatchEvent(new Event('input'));"
        "return new Promise(function(done){(function poll(){"
        "if (p.textContent !== before) { done(performance.now() - t - 150); }"
        "else { setTimeout(poll, 5); }})();});"
    )
    browser.find_element(By.ID, "f-clear").click()
    cell = browser.find_element(By.CSS_SELECTOR, 'td.hit[data-m="smart_T_rate"]')
    t0 = time.perf_counter()
    cell.click()
    result["click_filter_ms"] = (time.perf_counter() - t0) * 1000
    if shots:
        browser.execute_script("document.getElementById('explorer').scrollIntoView()")
        browser.save_screenshot(str(out / f"report-{n}-clicked.png"))
        browser.find_element(By.ID, "f-clear").click()
        browser.execute_script("window.scrollTo(0, 0)")
        browser.save_screenshot(str(out / f"report-{n}-top.png"))
        browser.execute_script("document.getElementById('comparison').scrollIntoView()")
        browser.save_screenshot(str(out / f"report-{n}-comparison.png"))
        browser.execute_script("document.getElementById('charts').scrollIntoView()")
        browser.save_screenshot(str(out / f"report-{n}-charts.png"))
        browser.execute_script("document.getElementById('explorer').scrollIntoView()")
        browser.save_screenshot(str(out / f"report-{n}-explorer.png"))
    return result


def main(argv: list[str] | None = None) -> int:
    from renamed_plans import renamed_copies

    from actionnlp.analysis import Analysis

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--plans", type=int, nargs="+", default=[4, 200])
    parser.add_argument("--out", default="out/report-browser")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = Analysis.read(args.results)
    figures = {}
    for n in args.plans:
        analysis = base if n == len(base.plans) else renamed_copies(base, n)
        t0 = time.perf_counter()
        path = analysis.report(out / f"report-{n}.html")
        write_s = time.perf_counter() - t0
        runs = []
        for run in range(args.runs):
            browser = driver()
            try:
                runs.append(measure(browser, path.resolve(), out, n, shots=run == 0))
            finally:
                browser.quit()
        figures[n] = {
            "actions": len(analysis.actions),
            "write_report_s": round(write_s, 2),
            "mb": round(runs[0]["bytes"] / 1e6, 2),
            **{
                k: round(statistics.median(r[k] for r in runs))
                for k in ("tti_ms", "search_ms", "click_filter_ms")
            },
        }
        print(f"{n} plans: {figures[n]}", file=sys.stderr)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
