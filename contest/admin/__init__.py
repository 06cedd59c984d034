"""admin area."""
