"""Configuration family (Telmai-compatible): projects, connections and asset configurations.

access.py   path tenant and project roles
fqn.py      the fqn each asset type derives from its payload
projects.py, connections.py, assets.py   the business rules; storage is accord.store.configuration
"""
