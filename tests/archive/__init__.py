"""Tests of the archive on real SQLite files."""
