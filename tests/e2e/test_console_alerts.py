"""The console's alert channels page at phone width (390 px), in English and in Chinese, against ``faka local``."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LocalFaka
from tests.e2e.test_console import ADMIN, screenshot, sign_in
from tests.e2e.test_console_operations import assert_fits_the_phone, browser, go, lang, phone, texts

pytestmark = pytest.mark.e2e
__all__ = ["browser", "lang", "phone"]  # fixtures this module uses

SECRET = "SECconsole-dingtalk-secret"


def channels(local_faka: LocalFaka) -> list[dict[str, object]]:
    answer = local_faka.get("/v1/admin/alert-channels", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    listed: list[dict[str, object]] = answer.json()["channels"]
    return listed


def test_an_operator_adds_a_signed_dingtalk_robot_for_held_orders_and_removes_it(
    phone: Page, local_faka: LocalFaka, lang: str
) -> None:
    say = texts(lang)
    emptied = local_faka.http.put(
        f"{local_faka.api_url}/v1/admin/alert-channels", json={"channels": []}, headers=ADMIN, timeout=30
    )
    assert emptied.status_code == 200
    sign_in(phone)
    go(phone, "alerts")
    expect(phone.locator("#alert-channel-list")).to_contain_text(say("alerts.none"))

    phone.select_option("#add-alert-channel select[name=kind]", "dingtalk")
    expect(phone.locator("#alert-target-help")).to_have_text(say("alerts.target_help.dingtalk"))
    robot = f"{local_faka.api_url}/_local/webhook-sink?robot=dingtalk"
    phone.fill("#add-alert-channel input[name=target]", robot)
    phone.fill("#add-alert-channel input[name=secret]", SECRET)
    phone.check("#add-alert-channel input[value=held_order]")
    phone.click("#add-alert-channel button[type=submit]")

    expect(phone.locator("#alert-channel-message")).to_have_text(say("alerts.saved", channel=say("channel.dingtalk")))
    row = phone.locator("#alert-channel-list tr[data-channel=dingtalk]")
    expect(row).to_contain_text(say("alert_kind.held_order"))
    expect(row).to_contain_text(say("alerts.secret_set"))
    assert SECRET not in phone.content()
    (saved,) = channels(local_faka)
    assert (saved["kind"], saved["target"], saved["alerts"], saved["has_secret"]) == (
        "dingtalk",
        robot,
        ["held_order"],
        True,
    )
    assert_fits_the_phone(phone)
    screenshot(phone, f"console-alerts-{lang}")

    # WeCom takes no secret: the field goes away.
    phone.select_option("#add-alert-channel select[name=kind]", "wecom")
    expect(phone.locator("#alert-secret")).to_be_hidden()

    phone.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=say("alerts.remove")).click()
    expect(phone.locator("#alert-channel-message")).to_have_text(say("alerts.removed"))
    expect(phone.locator("#alert-channel-list")).to_contain_text(say("alerts.none"))
    assert channels(local_faka) == []
