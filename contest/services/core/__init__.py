"""The shared core every journey builds on: the union tree, people, accounts, the audit trail and
the home-page figures. Nothing here knows about contests, honors or nominations."""
