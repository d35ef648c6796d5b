"""The types and tools every capability shares: the domain model, signed buyer links, message templates.

Uses nothing of faka but :mod:`faka.errors`."""
