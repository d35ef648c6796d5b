"""Logical ids derived from the physical names in :mod:`faka.resources`."""

from __future__ import annotations

from faka import resources


def logical_id(physical_name: str) -> str:
    """``faka/key-hash-pepper`` -> ``KeyHashPepper``, ``faka-catalog`` -> ``Catalog``.

    The prefix is dropped so that deploying a second stage (``-c stage=NAME``) keeps
    the same logical ids (and so the same template shape) while every physical name changes.
    """
    stem = physical_name.split("/", 1)[-1]
    if stem.startswith(resources.PREFIX + "-"):
        stem = stem[len(resources.PREFIX) + 1 :]
    return "".join(part.capitalize() for part in stem.replace("/", "-").split("-"))
