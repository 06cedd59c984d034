"""Security helpers: field encryption, password hashing, headers, role guards."""
