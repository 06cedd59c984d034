"""Every write goes through a service function that takes the acting user, writes an audit
entry and flushes; the caller (a view or a command) commits once."""
