"""Flags: a month's snapshots in, flags out. Pure functions, no I/O."""
