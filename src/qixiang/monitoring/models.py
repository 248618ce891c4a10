"""Monitoring keeps no tables of its own: it reads the stage counts and the archive."""
