"""DynamoDB repositories. The only package that knows the table's keys (see keys.py)."""
