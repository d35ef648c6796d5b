"""Money going back: refunds and their review, chargebacks, held orders cancelled, the buyer's refund emails.

Uses :mod:`faka.sales` and below; a case that needs a person is opened through the ``CaseOpener`` port, so the
help desk (:mod:`faka.support`, which uses this package) stays above it."""
