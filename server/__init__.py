"""cajkg HTTP layer."""
