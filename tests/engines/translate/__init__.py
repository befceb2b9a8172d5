"""Tests of the translation engines."""
