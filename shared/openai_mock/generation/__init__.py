"""Builders and generators: pure functions of (request, rng, clock)."""
