"""Shared Python helpers of the `bulkhead` front end and the system tests."""
