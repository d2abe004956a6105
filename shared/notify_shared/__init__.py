"""Plumbing every notify service imports: config, db, models, bus, health, logging."""
