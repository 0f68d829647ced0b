#!/usr/bin/env python3
"""Throw-away PostgreSQL or MariaDB server for bench/run.sh.

    engine.py serve ENGINE DIR      start a server, write DIR/engine.json
                                    ({"url", "client"}), stay up until
                                    SIGTERM/SIGINT, then remove the server
    engine.py fill ENGINE DIR ROWS  bulk-insert ROWS rows into items with the
                                    engine's own client (psql COPY; mariadb
                                    multi-row INSERT)

The server classes are the functional tests' (tests/func/engines.py), so
the bench runs the engines exactly as the tests do.  "serve" must stay
alive for the whole run: engines.py's watchdog removes the server as soon
as the process that created it is gone, which is also what cleans up when
run.sh is killed with SIGKILL.
"""

import datetime
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" /
                       "func"))
import engines  # noqa: E402


def serve(engine, directory):
    cls = {"postgresql": engines.Postgres, "mysql": engines.MariaDB}[engine]
    gone = engines.missing(engine)
    if gone:
        sys.exit(f"engine.py: {engine} needs {', '.join(gone)}")
    stop = []
    # Set before the server starts so that a TERM during start-up still
    # reaches remove().
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(1))
    server = cls(directory)
    try:
        server.start()
        url = server.create_database("bench")
        info = {"url": url, "client": server.client_argv("bench")}
        tmp = Path(directory) / "engine.json.tmp"
        tmp.write_text(json.dumps(info))
        tmp.rename(Path(directory) / "engine.json")  # run.sh polls for it
        while not stop:
            signal.pause()
    finally:
        server.remove()


def columns(engine, client):
    """(name, type) of the items table, in table order, without id."""
    q = ("SELECT column_name, data_type FROM information_schema.columns "
         "WHERE table_name = 'items' AND table_schema = %s "
         "ORDER BY ordinal_position")
    if engine == "postgresql":
        argv = client + ["-qAt", "-F", "\t", "-c", q % "current_schema()"]
    else:
        argv = client + ["-N", "-B", "-e", q % "DATABASE()"]
    out = subprocess.run(argv, check=True, capture_output=True,
                         text=True).stdout
    cols = [tuple(line.split("\t")[:2]) for line in out.splitlines() if line]
    if not cols:
        sys.exit("engine.py: no items table (did lightapid create it?)")
    return [(n, t.lower()) for n, t in cols if n != "id"]


def fill(engine, directory, rows):
    info = json.loads((Path(directory) / "engine.json").read_text())
    client = info["client"]
    cols = columns(engine, client)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    stamp = now.isoformat(sep=" ", timespec="microseconds")

    # The same rows as the SQLite path of run.sh, with created_at,
    # updated_at and version filled as the daemon would.
    def row(i):
        return dict(name=f"item {i}", category=f"cat-{i % 500}",
                    price=round(1 + (i % 1000) * 0.25, 2),
                    in_stock=i % 3 != 0, created_at=stamp,
                    updated_at=stamp, version=1)

    def text(value, typ):
        if isinstance(value, bool):
            if "bool" in typ:
                return "true" if value else "false"
            return "1" if value else "0"
        return str(value)

    names = [n for n, _ in cols]
    if engine == "postgresql":
        # One COPY: the fastest bulk path psql has, no SQL quoting needed
        # (the values hold no tab, newline or backslash).
        lines = [f'COPY items ({", ".join(chr(34) + n + chr(34) for n in names)}) FROM STDIN;']
        for i in range(1, rows + 1):
            r = row(i)
            lines.append("\t".join(text(r[n], t) for n, t in cols))
        lines.append("\\.")
        # Fresh statistics, as autovacuum would give a long-running table:
        # without them the planner guesses on an unanalysed 10,000 rows.
        lines.append("ANALYZE items;")
        argv = client + ["-q", "-v", "ON_ERROR_STOP=1"]
    else:
        # Multi-row INSERTs of 1,000 rows keep each statement well under
        # max_allowed_packet; one transaction avoids a commit per batch.
        def lit(value, typ):
            v = text(value, typ)
            return v if isinstance(value, (bool, int, float)) else "'" + v + "'"
        lines = ["START TRANSACTION;"]
        head = f'INSERT INTO items ({", ".join("`" + n + "`" for n in names)}) VALUES '
        for start in range(1, rows + 1, 1000):
            vals = []
            for i in range(start, min(start + 1000, rows + 1)):
                r = row(i)
                vals.append("(" + ",".join(lit(r[n], t) for n, t in cols) + ")")
            lines.append(head + ",".join(vals) + ";")
        lines.append("COMMIT;")
        lines.append("ANALYZE TABLE items;")
        argv = client
    subprocess.run(argv, input="\n".join(lines) + "\n", check=True,
                   text=True, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "fill":
        fill(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(__doc__)
