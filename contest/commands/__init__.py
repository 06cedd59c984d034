"""The ``contest`` command's subcommands, one module per command group.

``contest.cli`` wires them (``contest.cli:main`` is the installed entry point). The app commands
import the services they call inside their functions, so ``contest --help`` stays fast.
"""
