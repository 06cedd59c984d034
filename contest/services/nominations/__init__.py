"""Nomination campaigns (评选表彰): quotas, slates, review, 公示, objections, 递补, conferral.

DOMAIN §3. One module per subject: ``campaigns`` (set-up, awards, materials, eligibility rules),
``quotas`` (handed down the tree, typed slots, 差额, headroom), ``slates`` (composition rules and
their live check), ``eligibility`` (prerequisites from the honors table, no-repeat windows, the
negative list, waivers), ``nominations`` (the recommender's side), ``review`` (the chain of
stages and their decisions), ``expert`` (scoring on the shared engine and the ranked list),
``ballots`` (secret ballots), ``publicity`` (公示 on the working-day calendar, ``calendar``),
``objections`` (confidential, 递补), ``conferral`` (honors, revocation) and ``exports``.
"""
