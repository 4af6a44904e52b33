"""cajkg graph layer: sources, load, reason, validate, export. Never imports Flask."""
