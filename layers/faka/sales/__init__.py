"""From an order to keys in the buyer's hands: orders, payments recorded, exactly-once issuance, delivery mail,
reconciliation, revocation, the masking of buyer text, and the operators' order search.

Uses :mod:`faka.platform`, :mod:`faka.catalog`, :mod:`faka.trust`, :mod:`faka.shared`."""
