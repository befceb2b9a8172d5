"""Whole-program runs against loopback servers."""
