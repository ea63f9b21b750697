"""Agent side of the lvm family."""

from __future__ import annotations
