"""Who acts: tenants, API keys (and the principal a presented key stands for), teams."""
