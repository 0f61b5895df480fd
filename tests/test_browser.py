"""The main journey in a real browser: interview, attach sms_spam.csv, see its profile; a bad file's message."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, app_page
from tests.conftest import DATASETS

pytestmark = pytest.mark.browser


@pytest.fixture
def page_at_app(tmp_path):
    with app_page(tmp_path) as page:
        yield page


def _send(page, text: str, replies: int = 1) -> None:
    from playwright.sync_api import expect

    count = page.locator('[data-step-type="assistant_message"]').count()
    page.locator("#chat-input").fill(text)
    page.locator("#chat-submit").click()
    expect(page.locator('[data-step-type="assistant_message"]')).to_have_count(count + replies)
    if "/thread/" not in page.url:  # the first turn moves the page to the conversation's address (history):
        page.wait_for_url("**/thread/**")  # an attachment made before it lands would be dropped by the move


def _attach(page, path, replies: int = 1, text: str = "here is my data") -> None:
    from playwright.sync_api import expect

    count = page.locator('[data-step-type="assistant_message"]').count()
    page.locator("#upload-button-input").set_input_files(str(path))
    expect(page.locator("#attachments")).to_contain_text(path.name)
    page.locator("#chat-input").fill(text)
    page.locator("#chat-submit").click()
    expect(page.locator('[data-step-type="assistant_message"]')).to_have_count(count + replies)


def test_interview_upload_profile_and_a_bad_file(page_at_app, samples) -> None:
    from playwright.sync_api import expect

    page = page_at_app
    last = page.locator('[data-step-type="assistant_message"]').last
    expect(last).to_contain_text("modelpick")  # the welcome
    _send(page, "We want to classify SMS messages as spam or ham")
    expect(last).to_contain_text("accuracy")
    _send(page, "a right answer saves $50, a wrong one costs $300")
    expect(last).to_contain_text("85.7%")
    _send(page, "90%")
    _send(page, "under $5 per 1000")
    _send(page, "2 s")
    _send(page, "10k a day")
    _send(page, "none")
    expect(last).to_contain_text("attach a sample")
    _attach(page, DATASETS / "sms_spam.csv", replies=2)  # the profile, then the evaluation plan it completes
    profile = page.locator('[data-step-type="assistant_message"]').filter(has_text="sms_spam.csv — 5,574 rows")
    expect(profile).to_contain_text("ham 4,827")
    expect(profile).to_contain_text("spam 747")
    expect(last).to_contain_text("Evaluation plan")
    expect(page.locator(".js-plotly-plot")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "foundation-profile.png"), full_page=True)
    _attach(page, samples["binary.csv"])
    expect(last).to_contain_text("binary file")
    expect(last).to_contain_text("Everything earlier in this conversation is kept")
    _attach(page, samples["empty.csv"])  # zero bytes: modelpick's own message, not an "Upload failed" pop-up
    expect(last).to_contain_text("'empty.csv' is empty (0 bytes)")
    expect(page.get_by_text("Upload failed")).to_have_count(0)
    _send(page, "what do you know so far?")
    expect(last).to_contain_text("sms_spam.csv — 5,574 rows")
    expect(last).to_contain_text("85.7%")
    page.screenshot(path=str(ARTIFACTS / "foundation-bad-file.png"), full_page=True)
