"""Money going back: refunds and their review, chargebacks, held orders cancelled, the buyer's refund emails.

A refund, read from the top: ``refunds`` (asking for one and appealing a rejection; :class:`Refunds` is the entry the
functions use), ``refund_records`` (a refund as stored, its statuses, recording a decision), ``refund_policies``
(each shop's auto-approval limits and review SLA), ``refund_review`` (the review state machine and its deciding
steps), ``refund_settlement`` (the decision carried out: keys revoked, money paid back once). Around them:
``refund_notices`` (the buyer's emails), ``refund_outcomes`` and ``provider_refunds`` (what providers report),
``disputes`` (chargebacks), ``holds`` (orders the risk rules held), ``backorders``, ``payment_failures``.
Writes the refunds table (refunds, disputes, payout claims), each shop's refund policy in the catalog table, and the
order items a refund or chargeback claims, revokes or pays back.

Uses :mod:`faka.sales` and below; a case that needs a person is opened through the ``CaseOpener`` port, so the
help desk (:mod:`faka.support`, which uses this package) stays above it."""
