"""Fixtures for the public pages."""


