"""Trust: risk rules as data, the claim-fraud guard and the key page views kept as evidence.

Uses :mod:`faka.shared` and the counters and tables adapters; every capability that decides may ask it."""
