"""The Dagster UI as an analyst uses it, in a real headless Chromium (Debian's /usr/bin/chromium).

Never downloads a browser: Playwright only drives the system Chromium. A missing Chromium is a
failure (`.ci/run` installs it from Debian's packages), never a skip.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from floodingnaque_pipeline.definitions import defs
from floodingnaque_pipeline_tests.fakes.topology import LOCATION, Topology

pytestmark = pytest.mark.postgres

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
UI_TIMEOUT_MS = 60_000  # generous: a 2-core machine also runs the code server and daemon
expect.set_options(timeout=UI_TIMEOUT_MS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: apt-get install -y chromium (.ci/run does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def page(browser: Browser, topology: Topology) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(UI_TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{topology.webserver_url}/assets")
    # A fresh instance greets its first visitor with "Join the Dagster community"; Skip is
    # remembered by the instance (shouldShowNux), so the modal shows only once.
    if topology.api("{ shouldShowNux }")["shouldShowNux"]:
        page.get_by_role("button", name="Skip").click()
        expect(page.get_by_text("Join the Dagster community")).to_be_hidden()
        assert topology.api("{ shouldShowNux }")["shouldShowNux"] is False
    try:
        yield page
    finally:
        context.close()


def _asset_keys() -> list[str]:
    return sorted(k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys())


def _screenshot_on_failure(page: Page, tmp_path: Path, body: Callable[[], None]) -> None:
    """Run the UI steps; on failure keep a screenshot next to the test's report."""
    try:
        body()
    except BaseException:
        shot = tmp_path / "ui-failure.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"UI screenshot saved: {shot}")
        raise


def test_catalog_lists_every_asset_and_graph_renders(
    page: Page, topology: Topology, tmp_path: Path
) -> None:
    keys = _asset_keys()
    assert "locations" in keys and "weather_data" in keys

    def body() -> None:
        page.goto(f"{topology.webserver_url}/assets")
        for key in keys:
            # The link's accessible name is the key, after its icon's label (if any).
            name = re.compile(rf"(^|\s){re.escape(key)}$")
            expect(page.get_by_role("link", name=name).first).to_be_visible()

        group = defs.resolve_asset_graph().get(dg.AssetKey("locations")).group_name
        page.goto(f"{topology.webserver_url}/locations/{LOCATION}/asset-groups/{group}")
        node = page.locator("svg foreignObject").filter(has_text="locations").first
        expect(node).to_be_visible()

    _screenshot_on_failure(page, tmp_path, body)


def test_materialize_locations_from_the_ui(page: Page, topology: Topology, tmp_path: Path) -> None:
    api = topology.api
    before = {run["id"] for run in api.runs()}
    run_ids: list[str] = []

    def body() -> None:
        page.goto(f"{topology.webserver_url}/assets/locations")
        button = page.get_by_role("button", name=re.compile(r"^(materialization )?Materialize$"))
        button.click()
        new = topology.wait(
            lambda: [r["id"] for r in api.runs() if r["id"] not in before],
            timeout=60,
            what="the run launched by the Materialize button",
        )
        run_ids.extend(new)
        assert len(new) == 1, new
        assert api.wait_for_run(new[0], timeout=300, alive=topology) == "SUCCESS"
        # And the UI shows it: the run's page reports success.
        page.goto(f"{topology.webserver_url}/runs/{new[0]}")
        expect(page.get_by_text("Success", exact=True).first).to_be_visible()

    _screenshot_on_failure(page, tmp_path, body)
