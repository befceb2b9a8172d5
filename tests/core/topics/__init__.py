"""Tests of the topic query language, its matcher and selection."""
