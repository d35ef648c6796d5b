"""After-sales: tickets on every channel, the playbooks that settle them, the human help desk, inbound mail.

Uses :mod:`faka.money` (refunds and disputes the playbooks act through), :mod:`faka.triage` and below."""
