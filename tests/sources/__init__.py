"""Tests of the upstream clients and parsers, on recorded payloads served on loopback."""
