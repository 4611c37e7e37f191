"""The registry family (Tessera's Assets API): assets, lineage, audit history, contracts and
their versions, registrations, proposals, impact analysis."""
