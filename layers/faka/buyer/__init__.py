"""The buyer's own views and links: the order page, finding one's orders by email, what email links do.

The top capability: it composes activation, refunds, ratings and tickets for the buyer, and nothing uses it."""
