"""Agent side of the commands family."""

from __future__ import annotations
