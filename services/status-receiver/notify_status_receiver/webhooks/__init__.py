"""Provider receipt webhooks, one module per provider."""
