"""Business rules. No AWS here: persistence goes through accord.store."""
