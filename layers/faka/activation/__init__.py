"""Whether keys work: activation signals, the 24/48/72 h escalation, reminders and their outreach policy,
pre-purchase advice and the activation figures.

Uses :mod:`faka.support` (the last reminder opens a ticket) and below."""
