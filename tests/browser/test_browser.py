"""End-to-end in headless Chromium: log in, maintain the registry, work a queue item, see nothing of another
holder; every page without console errors at 1280 and 390 pixels, and usable from the keyboard."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_right_holder_edits_registry_and_cannot_reach_other_holder(world, desktop) -> None:
    tab, page, sd = desktop, desktop.page, world.seeded
    tab.login(world.url, "holder_a")
    page.get_by_role("link", name="Registry", exact=True).first.click()
    marks = page.locator("#marks").inner_text()
    assert "ALPHAMODE" in marks and "BRAVOTIME" not in marks
    page.get_by_role("link", name="ALPHAMODE").click()
    page.get_by_label("New alias").fill("阿尔法摩德")
    page.get_by_label("Kind").select_option("transliteration")
    page.get_by_role("button", name="Add alias").click()
    page.wait_for_selector(".flash.ok")
    assert "阿尔法摩德" in page.locator("#aliases").inner_text()
    tab.shot("holder-mark-1280")
    assert not tab.errors, tab.errors
    # another holder's mark: a 404 page, nothing of B shown
    response = page.goto(f"{world.url}/registry/marks/{sd.marks['B']}")
    assert response is not None and response.status == 404
    assert "BRAVOTIME" not in page.content()
    tab.shot("holder-other-mark-404")
    assert all("404" in e for e in tab.errors), tab.errors


def test_officer_works_a_queue_item_from_the_keyboard(world, desktop) -> None:
    tab, page, sd = desktop, desktop.page, world.seeded
    if "alerts" not in sd.extra:
        pytest.skip("listing screening not installed")
    tab.login(world.url, "officer")
    page.goto(f"{world.url}/queues/listings")
    rows = page.locator("#queue tbody tr")
    assert rows.count() >= 2
    first = rows.first.inner_text()
    assert "ALPHAMODE" in first  # highest score first
    page.get_by_role("link", name="ALPHAMODE replica bag factory direct").click()
    assert page.locator("#listing-text mark").first.inner_text() == "ALPHAMODE"
    tab.shot("officer-listing-1280")
    # keyboard only: focus the first decision radio, pick "Counterfeit", type a note, submit with Enter
    page.get_by_label("Counterfeit", exact=True).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # out of the radio group, into the note
    assert page.evaluate("document.activeElement.id") == "d-note"
    page.keyboard.type("replica in title")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Record decision"
    page.keyboard.press("Enter")
    page.wait_for_url("**/queues/listings?msg=*")
    assert "recorded" in page.locator(".flash.ok").inner_text()
    assert sd.extra["alerts"]["A"] not in page.locator("#queue").inner_html()
    tab.shot("officer-queue-after-decision")
    assert not tab.errors, tab.errors


PAGES = ["/", "/registry", "/registry/products", "/registry/parties", "/registry/guides", "/queues/listings"]


@pytest.mark.parametrize("username", ["holder_a", "supervisor"])
def test_every_page_fits_a_phone_without_console_errors(world, phone, username: str) -> None:
    tab, page = phone, phone.page
    tab.login(world.url, username)
    links = {a for a in page.eval_on_selector_all("nav a", "els => els.map(e => e.getAttribute('href'))")}
    for path in sorted(set(PAGES) | links):
        response = page.goto(world.url + path)
        assert response is not None and response.status == 200, path
        assert tab.no_horizontal_overflow(), f"{path} overflows 390 px"
        if username == "holder_a":
            assert "Bravo" not in page.content(), path
        tab.shot(f"{username}-390{path.replace('/', '_') or '_home'}")
    # keyboard: the skip link is the first focusable element and moves focus to the content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert not tab.errors, tab.errors


def test_holder_and_officer_advance_a_case(world, browser, new_tab) -> None:
    sd = world.seeded
    if "cases" not in sd.extra:
        pytest.skip("cases not installed")
    case_id = sd.extra["cases"]["A"]
    with new_tab(1280, 900) as holder:
        holder.login(world.url, "holder_a")
        holder.page.get_by_role("link", name="Inbox").click()
        assert case_id in holder.page.locator("#cases").inner_text()
        assert sd.extra["cases"]["B"] not in holder.page.content()
        holder.page.get_by_role("link", name=case_id).click()
        assert holder.page.locator("#deadlines").inner_text().count("holder reply") == 1
        holder.page.get_by_role("button", name="Right holder applies for detention and posts the guarantee").click()
        holder.page.wait_for_selector(".flash.ok")
        assert holder.page.locator("#case-state").inner_text() == "detained"
        holder.shot("holder-case-after-guarantee")
        assert not holder.errors, holder.errors
    with new_tab(390, 844) as officer:
        officer.login(world.url, "officer")
        officer.page.goto(f"{world.url}/cases/{case_id}")
        officer.page.get_by_role("button", name="Customs determines the goods infringe").click()
        officer.page.wait_for_selector(".flash.ok")
        assert officer.page.locator("#case-state").inner_text() == "infringing"
        timeline = officer.page.locator("#timeline").inner_text()
        assert "holder applies" in timeline and "determine infringing" in timeline
        assert officer.no_horizontal_overflow()
        officer.shot("officer-case-390")
        assert not officer.errors, officer.errors
