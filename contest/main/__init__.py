"""main area."""
