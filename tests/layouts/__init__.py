"""Synthetic ABS release files in each wave's real layout (see build.py)."""
