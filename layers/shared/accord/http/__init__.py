"""HTTP plumbing shared by every API function: router, envelopes, request limits, principal."""
