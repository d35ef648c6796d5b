"""Listed email domains cover their subdomains, never a look-alike that merely ends in the same letters."""

from __future__ import annotations

import pytest

from faka.trust.risk import Buyer, RiskRules

# The shipped rules: mailinator.com is blacklisted, example.com is exempt from the burst counts.
RULES = RiskRules.load()


@pytest.mark.parametrize(
    "email",
    ["x@mailinator.com", "x@sub.mailinator.com", "x@a.b.MAILINATOR.com", "x@mailinator.com.", "x@Mailinator.Com "],
)
def test_a_blacklisted_domain_covers_its_subdomains(email: str) -> None:
    assert "email_domain" in RULES.blacklist_hits(Buyer(email))


@pytest.mark.parametrize("email", ["x@notmailinator.com", "x@mailinator.com.evil.example", "x@mailinator.co"])
def test_a_domain_that_only_ends_in_the_same_letters_is_not_blacklisted(email: str) -> None:
    assert "email_domain" not in RULES.blacklist_hits(Buyer(email))


def test_the_burst_exemption_covers_subdomains_too() -> None:
    assert not RULES.counts_email(Buyer("buyer@shop.example.com"))
    assert RULES.counts_email(Buyer("buyer@example.community"))
    assert RULES.counts_email(Buyer("buyer@example.com.evil.example"))
