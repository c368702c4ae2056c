"""The report's explorer in a real browser: headless system Chromium driven by Selenium.

Run with ``make test-browser``. Needs ``/usr/bin/chromium`` and Debian's
``chromium-driver`` (``/usr/bin/chromedriver``), or the paths in
``ACTIONNLP_CHROMIUM`` / ``ACTIONNLP_CHROMEDRIVER``; each test skips, saying so, when
either (or the ``selenium`` package) is missing. No browser is downloaded.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from tests.renamed_plans import renamed_copies

pytestmark = pytest.mark.browser

# ACTIONNLP_CHROMIUM / ACTIONNLP_CHROMEDRIVER point at other binaries
CHROMIUM = os.environ.get("ACTIONNLP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = (
    os.environ.get("ACTIONNLP_CHROMEDRIVER")
    or shutil.which("chromedriver")
    or "/usr/bin/chromedriver"
)


def _missing() -> str | None:
    if not Path(CHROMIUM).is_file():
        return "no Chromium: install it (Debian: apt-get install chromium) to run browser tests"
    if not Path(CHROMEDRIVER).is_file():
        return "no chromedriver: install it (Debian: apt-get install chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install -e '.[dev]'"
    return None


@pytest.fixture(scope="module")
def browser():
    why = _missing()
    if why:
        pytest.skip(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument("--window-size=1400,1000")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def report(samples, tmp_path_factory):
    return samples.report(tmp_path_factory.mktemp("report") / "report.html")


def _open(browser, path: Path) -> None:
    browser.get(path.resolve().as_uri())
    for _ in range(600):
        if browser.execute_script("return document.documentElement.dataset.explorerReady"):
            return
        time.sleep(0.05)
    raise AssertionError("the explorer never set data-explorer-ready")


def _shown(browser) -> int:
    """Number of actions the explorer says match (from 'Page x of y · N of M actions')."""
    text = browser.find_element("id", "x-page").text
    return int(text.split("·")[1].split("of")[0])


def _rows(browser) -> list:
    return browser.find_elements("css selector", "#x-table tbody tr")


def _select(browser, element_id: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element("id", element_id)).select_by_value(value)


@pytest.fixture
def page(browser, report):
    _open(browser, report)
    return browser


def test_loads_without_errors_or_requests(page, samples):
    assert _shown(page) == len(samples.actions)
    assert len(_rows(page)) == min(50, len(samples.actions))
    severe = [e for e in page.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []
    resources = page.execute_script("return performance.getEntriesByType('resource').length")
    assert resources == 0
    assert page.find_elements("css selector", "#chart .bar")


def test_filter_by_prison_and_decision(page, samples):
    _select(page, "f-prison", "HMP Stafford")
    n = int((samples.actions.prison == "HMP Stafford").sum())
    assert _shown(page) == n
    assert all(r.text.startswith("HMP Stafford") for r in _rows(page))
    _select(page, "f-decision", "partly_agreed")
    c = samples.concerns
    partly = c[(c.prison == "HMP Stafford") & (c.agreement == "partly_agreed")]
    a = samples.actions
    keys = set(zip(partly.source, partly.concern_index, strict=True))
    expected = sum((s, i) in keys for s, i in zip(a.source, a.concern_index, strict=True))
    assert _shown(page) == expected > 0
    page.find_element("id", "f-clear").click()
    assert _shown(page) == len(samples.actions)


def test_filter_by_smart_criterion_and_owner(page, samples):
    _select(page, "f-smart", "T0")
    assert _shown(page) == int((samples.actions.smart_T == 0).sum())
    page.find_element("id", "f-clear").click()
    _select(page, "f-owner", "health_provider")
    cats = samples.actions.owner_categories
    assert _shown(page) == sum("health_provider" in list(x) for x in cats)


def _searchable(samples) -> list[str]:
    """What the explorer searches in each action, as documented in the report."""
    c = samples.concerns.set_index(["source", "concern_index"])
    out = []
    for r in samples.actions.to_dict("records"):
        con = c.loc[(r["source"], r["concern_index"])]
        parts = [
            r["prison"],
            r["year"],
            r["action_text"],
            *r["owners"],
            *r["owner_categories"],
            r["target_raw"],
            r["status"],
            Path(r["source"]).name,
            *(v for v in (r["smart_evidence"] or {}).values() if v),
            con["concern_id"],
            con["concern_text"],
            con["recommendation_text"],
        ]
        out.append(" ".join(str(p) for p in parts if isinstance(p, (str, int))).lower())
    return out


def test_free_text_search(page, samples):
    box = page.find_element("id", "f-q")
    box.send_keys("Pharmacy monthly")
    time.sleep(0.5)  # the search waits for typing to pause
    expected = sum("pharmacy" in h and "monthly" in h for h in _searchable(samples))
    assert _shown(page) == expected > 0
    box.clear()
    box.send_keys("zzqqxx-nothing")
    time.sleep(0.5)
    assert _shown(page) == 0


def test_sort_by_smart_score(page, samples):
    header = page.find_element("css selector", 'th[data-sort="ss"]')
    header.click()
    scores = [r.find_elements("css selector", "td")[7].text.split("\n")[-1] for r in _rows(page)]
    numbers = [int(s.split("/")[0]) for s in scores if s.endswith("/5")]
    assert numbers == sorted(numbers) and numbers[0] == samples.actions.smart_score.min()
    header.click()
    scores = [r.find_elements("css selector", "td")[7].text.split("\n")[-1] for r in _rows(page)]
    numbers = [int(s.split("/")[0]) for s in scores if s.endswith("/5")]
    assert numbers == sorted(numbers, reverse=True) and numbers[0] == 5
    assert "desc" in header.get_attribute("class")


def test_comparison_cell_lists_the_actions_behind_it(page, samples):
    table = samples.compare()
    g = int(table.theme_education.fillna(0).to_numpy().argmax())
    prison = table.prison[g]
    page.find_element("css selector", f'td.hit[data-g="{g}"][data-m="theme_education"]').click()
    c = samples.concerns
    tagged = c[(c.prison == prison) & c.themes.map(lambda t: "education" in list(t))]
    keys = set(zip(tagged.source, tagged.concern_index, strict=True))
    a = samples.actions
    expected = sum((s, i) in keys for s, i in zip(a.source, a.concern_index, strict=True))
    assert _shown(page) == expected > 0
    assert prison in page.find_element("id", "x-active").text
    # a SMART cell lists the counted actions meeting the criterion
    page.find_element("css selector", f'td.hit[data-g="{g}"][data-m="smart_T_rate"]').click()
    row = table.iloc[g]
    assert _shown(page) == round(row.smart_T_rate * row.smart_T_rate_n)


def test_chart_bar_click_filters(page, samples):
    _select(page, "chart-metric", str(_metric_index(page, "owner_prison_leadership")))
    bars = page.find_elements("css selector", "#chart .bar")
    table = samples.compare().set_index("prison")
    top = max(table.index, key=lambda p: table.loc[p, "owner_prison_leadership"])
    assert bars[0].text.startswith(top)
    bars[0].click()
    a = samples.actions
    expected = sum(
        "prison_leadership" in list(x)
        for x, p, ok in zip(a.owner_categories, a.prison, a.smart_applicable, strict=True)
        if p == top and ok
    )
    assert _shown(page) == expected > 0


def _metric_index(page, column: str) -> int:
    return page.execute_script(
        "return JSON.parse(document.getElementById('explorer-data').textContent)"
        f".compare.columns.indexOf('{column}')"
    )


def test_concern_text_on_demand_and_paging(page, samples):
    row = _rows(page)[0]
    button = row.find_element("css selector", "button.link")
    box = row.find_element("css selector", ".ctext")
    assert not box.is_displayed()
    button.click()
    assert box.is_displayed() and samples.concerns.concern_text.iloc[0][:30] in box.text
    page.find_element("id", "x-next").click()
    assert page.find_element("id", "x-page").text.startswith("Page 2 of")
    assert page.find_elements("css selector", "#x-table mark")  # evidence highlighted


def test_hostile_text_is_not_run(browser, samples, tmp_path):
    bad = renamed_copies(samples, 4)
    payload = '<img src=x onerror="window.pwned=1"></script><script>window.pwned=2</script>'
    bad.actions.loc[bad.actions.index[0], "action_text"] = payload
    bad.plans.loc[0, "prison"] = payload
    bad.actions.loc[bad.actions.source == bad.plans.source[0], "prison"] = payload
    path = bad.report(tmp_path / "bad.html")
    _open(browser, path)
    time.sleep(0.3)
    assert browser.execute_script("return window.pwned === undefined")
    assert payload in _rows(browser)[0].text or payload in browser.page_source
    assert browser.find_element(
        "css selector", "#x-table tbody tr td:nth-child(4)"
    ).text.startswith("<img src=x")
