"""After the honor (DOMAIN §3 rules 25–26): the 劳模 archive, care, reviews and revocation.

- :mod:`~contest.services.care.settings` — the titles that count, the care intervals.
- :mod:`~contest.services.care.scope` — who sees which file (admins; the care role by subtree).
- :mod:`~contest.services.care.archive` — the files: which honorees have one, their status.
- :mod:`~contest.services.care.records` — health checks, 疗休养, visits, help, allowances.
- :mod:`~contest.services.care.due` — who is due what, and the exports for hospitals and agencies.
- :mod:`~contest.services.care.reviews` — the two-yearly review rounds.
- :mod:`~contest.services.care.revocations` — revocation along the chain that conferred.
"""
