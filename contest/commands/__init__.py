"""The ``contest`` command's subcommands, one module per command group.

``contest.cli`` wires them (``contest.cli:main`` is the installed entry point). The commands
import the services and the heavy libraries (pandas, ``scoring``) they call inside their
functions, so ``contest --help`` stays fast (``tests/contest/test_startup.py``).
"""
