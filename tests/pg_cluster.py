"""A private, throwaway PostgreSQL server for the fault tests, which restart and stop it: the
server the suite runs on is shared and must never be restarted. Made from the server binaries
of Debian's package (as scripts/ensure_postgres.sh makes one), in a temporary directory, on a
free port, with fsync off; removed when the test ends. As root, the server runs as the
`postgres` user (initdb refuses root)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import suppress
from pathlib import Path


def _bin_dir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name or 0))
    if not found or not (found[-1] / "initdb").exists():
        raise AssertionError(
            "The fault tests start a PostgreSQL server of their own: install Debian's "
            "`postgresql` package (scripts/ensure_postgres.sh does)."
        )
    return found[-1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """initdb, start, stop, restart and remove one private PostgreSQL server."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.home = Path(tempfile.mkdtemp(prefix="concord-pg-"))
        self.data = self.home / "data"
        self.log = self.home / "server.log"
        self.port = _free_port()
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            if subprocess.run(["id", "postgres"], capture_output=True).returncode:
                subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
            shutil.chown(self.home, user="postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--no-sync")  # fmt: skip
        self.start()

    def _pg(self, program: str, *args: str) -> None:
        done = subprocess.run(
            [*self.as_postgres, str(self.bin / program), *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            log = self.log.read_text() if self.log.exists() else ""
            raise AssertionError(f"{program} {' '.join(args)} failed:\n{done.stderr}\n{log}")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        # fsync off survives a server crash (not the machine's): what a commit wrote is in
        # the operating system's cache. Commits stay synchronous, so none is lost.
        options = f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, mode: str = "immediate") -> None:
        """Stop (killing every connection; `immediate` as a crash does) and start again."""
        self.stop(mode)
        self.start()

    def dump_of(self, source_url: str) -> Path:
        """A pg_dump (custom format) of another server's database, made once per source."""
        dump = self.home / f"dump-{abs(hash(source_url))}.pgdump"
        if not dump.exists():
            subprocess.run(
                [str(self.bin / "pg_dump"), "-Fc", "--no-owner", "-f", str(dump), "-d",
                 source_url],
                check=True,
                timeout=300,
            )  # fmt: skip
        return dump

    def copy_database(self, source_url: str, name: str) -> str:
        """A database here holding what `source_url` (another server's) holds; its URL."""
        self.load(self.dump_of(source_url), name)
        return self.url(name)

    def load(self, dump: Path, name: str) -> None:
        """Make database `name` from a pg_dump custom-format file."""
        subprocess.run(
            [str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
             "postgres", name],
            check=True,
            timeout=60,
        )  # fmt: skip
        subprocess.run(
            [str(self.bin / "pg_restore"), "--no-owner", "--exit-on-error", "-d", self.url(name),
             str(dump)],
            check=True,
            timeout=300,
        )  # fmt: skip

    def remove(self) -> None:
        with suppress(AssertionError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.home, ignore_errors=True)
