"""Balie: chat between municipalities and residents, kept as a Woo-ready archive."""

__version__ = "0.1.0"
