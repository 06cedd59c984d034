"""orgs area."""
