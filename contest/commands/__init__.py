"""Stand-alone ``contest`` commands that need neither the Flask app nor a database."""
