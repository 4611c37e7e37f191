"""Accord shared layer: domain logic, schema engine, store and HTTP plumbing."""
