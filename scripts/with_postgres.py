#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL server started here and stopped after.

    python scripts/with_postgres.py pytest ...

Uses Debian's server binaries (/usr/lib/postgresql/<version>/bin), a temporary data
directory and a Unix socket only (no TCP port). As root, the server runs as the
`postgres` user (PostgreSQL refuses to run as root). The command gets
TEST_DATABASE_URL pointing at an empty database.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile


def server_bin() -> str:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if not candidates:
        sys.exit("PostgreSQL server not found: apt-get install postgresql")
    return os.path.dirname(candidates[-1])


def main() -> int:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    bindir = server_bin()
    root = tempfile.mkdtemp(prefix="kb-postgres-")
    data, sockets = os.path.join(root, "data"), os.path.join(root, "sockets")
    os.makedirs(sockets)
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]

    def pg(*args: str, **kwargs) -> None:
        subprocess.run([*as_user, *args], check=True, **kwargs)

    quiet = {"stdout": subprocess.DEVNULL}
    pg(f"{bindir}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", **quiet)
    options = f"-c listen_addresses='' -k {sockets} -c fsync=off -c full_page_writes=off"
    pg(f"{bindir}/pg_ctl", "-D", data, "-o", options, "-w", "-l", f"{root}/log", "start", **quiet)
    try:
        pg(f"{bindir}/createdb", "-h", sockets, "-U", "postgres", "intranet_test")
        env = dict(os.environ)
        env["TEST_DATABASE_URL"] = f"postgresql+psycopg://postgres@/intranet_test?host={sockets}"
        return subprocess.run(sys.argv[1:], env=env).returncode
    finally:
        pg(f"{bindir}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop", **quiet)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
