"""In headless Chromium (Debian's /usr/bin/chromium, driven by Playwright): a newcomer
signs up, creates a location and an item, imports a CSV and enables a plugin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support import ARTIFACTS, LiveServer


def test_newcomer_signs_up_and_sets_up_the_catalog(
    browser: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    page = browser.new_page()
    page.set_default_timeout(45000)
    base = live_server.url
    page.goto(f"{base}/")
    assert page.url.startswith(f"{base}/login")  # not logged in: sent to the login page

    page.goto(f"{base}/signup")
    page.fill("input[name=company]", "Browser Bakery")
    page.fill("input[name=plant]", "Bakery One")
    page.fill("input[name=email]", "baker@example.com")
    page.fill("input[name=password]", "short")
    page.fill("input[name=password]", "Flour-and-water-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert "Browser Bakery" in page.inner_text("h1")

    page.goto(f"{base}/app/locations")
    page.select_option("select[name=kind]", "warehouse")
    page.fill("input[name=code]", "wh1")
    page.fill("input[name=name]", "Main store")
    page.click("text=Add location")
    page.wait_for_selector("ul.tree >> text=WH1")

    page.goto(f"{base}/app/items/new")
    page.fill("input[name=sku]", "FLOUR-T55")
    page.fill("input[name=name]", "Wheat flour T55")
    page.select_option("select[name=uom]", "KG")
    page.fill("input[name=safety_stock]", "-2")
    page.click("text=Save item")
    assert "safety_stock" in page.inner_text("#form-error")  # refused, the form is kept
    assert page.input_value("input[name=sku]") == "FLOUR-T55"
    page.fill("input[name=safety_stock]", "20")
    page.fill("input[name=lead_time_days]", "3")
    page.select_option("select[name=lot_sizing_rule]", "fixed")
    page.fill("input[name=lot_sizing_params]", "quantity=250")
    page.click("text=Save item")
    page.wait_for_url(f"{base}/app/items")
    assert "Wheat flour T55" in page.inner_text("#item-table")

    csv_file = tmp_path / "items.csv"
    csv_file.write_text("sku,name,uom\nYEAST,Dry yeast,G\nSALT,Sea salt,KG\nBAD,Bad row,PARSEC\n")
    page.goto(f"{base}/app/items/import")
    page.set_input_files("input[type=file]", str(csv_file))
    page.click("button:has-text('Import')")
    page.wait_for_selector("#import-result")
    result = page.inner_text("#import-result")
    assert "2 rows imported, 1 rejected" in result and "uom" in result

    page.goto(f"{base}/app/items")
    page.fill("input[type=search]", "yeast")
    page.wait_for_function("!document.querySelector('#item-table').innerText.includes('FLOUR-T55')")
    assert "Dry yeast" in page.inner_text("#item-table")

    page.goto(f"{base}/app/plugins")
    page.click("#plugin-food_fifo button")
    page.wait_for_selector("#plugin-food_fifo mark")
    assert "Disable" in page.inner_text("#plugin-food_fifo")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "plugins.png"), full_page=True)

    page.click("text=Log out")
    page.wait_for_url(f"{base}/login")
    page.fill("input[name=email]", "baker@example.com")
    page.fill("input[name=password]", "Flour-and-water-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert "Browser Bakery" in page.inner_text("h1")
    page.close()


def test_owner_meets_the_plan_limit_invites_and_reads_the_audit(
    browser: Any, live_server: LiveServer, owner_engine: Any
) -> None:
    import httpx

    from tests.support import PASSWORD, outbox_link, sign_up

    base = live_server.url
    with httpx.Client(base_url=base) as client:
        owner = sign_up(client, "Browser Starter Co")
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base}/login")
    page.fill("input[name=email]", owner.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/app/plugins")
    page.click("#plugin-vmi button")
    page.wait_for_selector("#plugin-vmi mark")
    page.click("#plugin-food_fifo button")  # a second plugin on Starter
    message = page.inner_text("#form-error")
    assert "Starter plan allows 1 plugin" in message and "Growth" in message

    page.goto(f"{base}/app/team")
    page.fill("form[action='/app/team/invite'] input[name=email]", "helper@example.com")
    page.select_option("form[action='/app/team/invite'] select[name=role]", "storekeeper")
    page.click("text=Send invitation")
    page.wait_for_selector("#invitations >> text=helper@example.com")

    token = outbox_link(owner_engine, "helper@example.com")
    newcomer = browser.new_context().new_page()
    newcomer.set_default_timeout(15000)
    newcomer.goto(f"{base}/invite?token={token}")
    assert "Browser Starter Co" in newcomer.inner_text("main")
    newcomer.fill("input[name=password]", "short")
    newcomer.click("button:has-text('Join')")
    assert "at least" in newcomer.inner_text("#form-error")  # refused, the invitation still open
    newcomer.fill("input[name=password]", "Stock-keeper-42")
    newcomer.click("button:has-text('Join')")
    newcomer.wait_for_url(f"{base}/")
    assert "helper@example.com" in newcomer.inner_text("header")
    newcomer.context.close()

    page.goto(f"{base}/app/audit?table=tenant_plugin")
    assert "vmi" in page.inner_text("#audit") and owner.email in page.inner_text("#audit")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "audit.png"), full_page=True)
    context.close()
