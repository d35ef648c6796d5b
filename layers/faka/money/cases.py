"""The one thing money needs from the help desk: a case opened for a person, once per reason.

Refunds and chargebacks open tickets (an appeal, a missed review deadline, a chargeback), and the help desk's
playbooks act through refunds, so money names what it needs here and :class:`faka.support.tickets.Tickets`
provides it: the dependency points one way.
"""

from __future__ import annotations

from typing import Protocol


class OpenedCase(Protocol):
    @property
    def ticket_id(self) -> str: ...

    @property
    def status(self) -> str: ...


class CaseOpener(Protocol):
    def open_once(
        self,
        *,
        key: str,
        shop_id: str,
        order_id: str | None,
        intent: str,
        severity: int,
        source: str,
        summary: str,
        locale: str = "en",
    ) -> OpenedCase:
        """Open the case named by ``key``, or return the one already open."""
        ...
