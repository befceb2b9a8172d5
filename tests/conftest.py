"""Fixtures every test folder may use. Folder-specific ones live in each folder's conftest.py;
helpers that are not fixtures (sample records, local servers) in ``tests/support``."""
