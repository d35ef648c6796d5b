"""The platform's ledger: what each shop is owed, what the platform kept, and who bore each refund.

Double entry in the ledger table (``resources.LEDGER_TABLE``, read and written only by :mod:`faka.ledger.store`),
one entry per domain event that moves money, written once however often the event is delivered. Reads the
events :mod:`faka.money` and :mod:`faka.sales` publish; uses :mod:`faka.sales` (the shops' list) and below."""
