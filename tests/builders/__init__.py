"""Keyword-only builders of test data, committed so the test server sees them."""
