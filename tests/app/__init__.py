"""Tests of the command line, the daemon and the web app."""
