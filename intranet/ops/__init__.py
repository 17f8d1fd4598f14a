"""Operability: backups that restore, and the lock that keeps a restore away from a
running app. Command line in :mod:`intranet.ops.cli`; request logs live in
:mod:`intranet.core.logs`."""
