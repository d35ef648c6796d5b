"""What the shop learns: ratings, KPIs, complaint analysis, supplier batch health and ticket figures.

Uses :mod:`faka.support` and below."""
