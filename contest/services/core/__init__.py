"""The shared core every journey builds on: the union tree, people, accounts, the audit trail,
content versions, spreadsheets and the home-page figures. Nothing here imports a journey's
services; where the core must know a journey's state (an organisation cannot be closed while it
hosts an unfinished contest) it reads the models, which sit below every service."""
