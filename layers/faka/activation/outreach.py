"""The outreach policy for every non-transactional message (activation reminders).

Transactional mail (the delivery email) is never held back. Reminders are: not sent to buyers who
opted out; deferred (never dropped) during the buyer's local quiet hours, past the daily cap, or while
the circuit breaker is open because SES reports too many bounces or complaints.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from faka.adapters.counters import Counters
from faka.ports import SendingHealth

# The buyer's time zone from the country their order came from (CloudFront-Viewer-Country).
COUNTRY_TIME_ZONES = {
    "CN": "Asia/Shanghai",
    "HK": "Asia/Hong_Kong",
    "MO": "Asia/Macau",
    "TW": "Asia/Taipei",
    "JP": "Asia/Tokyo",
    "KR": "Asia/Seoul",
    "SG": "Asia/Singapore",
    "MY": "Asia/Kuala_Lumpur",
    "TH": "Asia/Bangkok",
    "VN": "Asia/Ho_Chi_Minh",
    "PH": "Asia/Manila",
    "ID": "Asia/Jakarta",
    "IN": "Asia/Kolkata",
    "AU": "Australia/Sydney",
    "NZ": "Pacific/Auckland",
    "US": "America/New_York",
    "CA": "America/Toronto",
    "MX": "America/Mexico_City",
    "BR": "America/Sao_Paulo",
    "AR": "America/Argentina/Buenos_Aires",
    "CL": "America/Santiago",
    "CO": "America/Bogota",
    "PE": "America/Lima",
    "ES": "Europe/Madrid",
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "FR": "Europe/Paris",
    "DE": "Europe/Berlin",
    "IT": "Europe/Rome",
    "NL": "Europe/Amsterdam",
    "PL": "Europe/Warsaw",
    "RU": "Europe/Moscow",
    "TR": "Europe/Istanbul",
    "AE": "Asia/Dubai",
    "SA": "Asia/Riyadh",
}
BOUNCE_RATE_LIMIT = 0.05
COMPLAINT_RATE_LIMIT = 0.001
CIRCUIT_RETRY = timedelta(hours=1)


class Verdict(StrEnum):
    SEND = "send"
    DEFER = "defer"
    SKIP = "skip"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str = ""
    not_before: datetime | None = None


@dataclass(frozen=True)
class QuietHours:
    start: int
    end: int

    @classmethod
    def parse(cls, setting: str) -> QuietHours | None:
        if setting == "off":
            return None
        start, end = (int(part) for part in setting.split("-"))
        return cls(start, end)

    def ends_after(self, local: datetime) -> datetime | None:
        """When the quiet period ``local`` falls in ends, or None when ``local`` is not quiet."""
        hour = local.hour
        quiet = self.start <= hour < self.end if self.start < self.end else hour >= self.start or hour < self.end
        if not quiet:
            return None
        end = local.replace(hour=self.end, minute=0, second=0, microsecond=0)
        return end if end > local else end + timedelta(days=1)


def buyer_local_time(country: str | None, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(COUNTRY_TIME_ZONES.get((country or "").upper(), "UTC")))


def buyer_key(email: str) -> str:
    """Buyers are counted by a hash of their address, so the outreach table holds no email."""
    return "BUYER#" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


class OutreachPolicy:
    def __init__(
        self, counters: Counters, health: SendingHealth, quiet_hours: QuietHours | None, daily_cap: int
    ) -> None:
        self._counters = counters
        self._health = health
        self._quiet = quiet_hours
        self._daily_cap = daily_cap

    def decide(self, email: str, country: str | None, now: datetime) -> Decision:
        if self._counters.has_flag(buyer_key(email), "opt_out"):
            return Decision(Verdict.SKIP, "opted_out")
        bounce_rate, complaint_rate = self._health.rates()
        if bounce_rate > BOUNCE_RATE_LIMIT or complaint_rate > COMPLAINT_RATE_LIMIT:
            return Decision(Verdict.DEFER, "circuit_open", now + CIRCUIT_RETRY)
        local = buyer_local_time(country, now)
        if self._quiet and (end := self._quiet.ends_after(local)):
            return Decision(Verdict.DEFER, "quiet_hours", end)
        sent_today = self._counters.get(buyer_key(email), f"sent#{local.date().isoformat()}").get("count", 0)
        if sent_today >= self._daily_cap:
            tomorrow = (local + timedelta(days=1)).replace(hour=max(self._quiet.end if self._quiet else 0, 9), minute=0)
            return Decision(Verdict.DEFER, "daily_cap", tomorrow)
        return Decision(Verdict.SEND)

    def wait_for_hour(self, country: str | None, now: datetime, hour: int) -> datetime | None:
        """When a reminder meant for ``hour`` of the buyer's day is due, or None while that hour runs.

        Quiet hours win: an hour inside them moves to their end, so the policy never defers it again.
        """
        local = buyer_local_time(country, now)
        if self._quiet and self._quiet.ends_after(local.replace(hour=hour, minute=0)):
            hour = self._quiet.end
        if local.hour == hour:
            return None
        at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
        return at if at > local else at + timedelta(days=1)

    def record_sent(self, email: str, country: str | None, now: datetime) -> None:
        local = buyer_local_time(country, now)
        self._counters.add(
            buyer_key(email),
            f"sent#{local.date().isoformat()}",
            {"count": 1},
            expires_at=int((now + timedelta(days=3)).timestamp()),
        )

    def opt_out(self, email: str) -> None:
        self._counters.put_flag(buyer_key(email), "opt_out")
