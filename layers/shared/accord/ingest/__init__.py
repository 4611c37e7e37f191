"""Ingestion (DESIGN §10): what other tools know about data assets, turned into Accord's model."""
