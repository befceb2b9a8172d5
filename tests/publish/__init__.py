"""Tests of the formats and channels."""
