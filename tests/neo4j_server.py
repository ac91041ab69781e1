"""A real Neo4j Community server for tests, run through ``scripts/neo4j-test-server.sh``.

Not a test module: test files import it (``from neo4j_server import running_server``), as they import
``conftest``. The script fetches Neo4j from Maven Central into a cache outside the repository once, and
gives each test home (a temporary folder) its own config, data, logs, free ports and process.

Tests that use it are marked ``@pytest.mark.neo4j`` and call :func:`require_java_maven` (directly or
through :func:`neo4j_home`), which skips them with the reason when java or mvn is missing, or fails them
instead when ``NEO4J_TESTS_REQUIRED=1`` (CI sets it, so a machine without Java cannot pass by skipping).
See docs/neo4j-server.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from neo4j import Driver

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "neo4j-test-server.sh"
FETCH_TIMEOUT_S = 1200  # a cold Maven fetch of ~125 MB of jars; minutes on a slow mirror
START_TIMEOUT_S = 300  # the script gives up on its own after NEO4J_START_TIMEOUT (180 s)
IMPORT_TIMEOUT_S = 600


@dataclass(frozen=True)
class Neo4jServer:
    """A running server: its home folder, bolt URI and the auth to pass to the driver."""

    home: Path
    bolt_uri: str
    auth: tuple[str, str] | None = None

    def driver(self) -> Driver:
        """A neo4j driver for this server; close it (use it as a context manager)."""
        from neo4j import GraphDatabase

        return GraphDatabase.driver(self.bolt_uri, auth=self.auth)


def missing_tools() -> list[str]:
    """The tools among java and mvn that are not on PATH (JAVA_HOME counts for java).

    >>> isinstance(missing_tools(), list)
    True
    """
    missing = []
    if not (shutil.which("java") or os.environ.get("JAVA_HOME") or os.environ.get("NEO4J_JAVA_HOME")):
        missing.append("java")
    if not shutil.which("mvn"):
        missing.append("mvn")
    return missing


def require_java_maven() -> None:
    """Skip the calling test when java or mvn is missing (fail instead under NEO4J_TESTS_REQUIRED=1).

    Raises:
        pytest.skip.Exception: java or mvn is missing.
        pytest.fail.Exception: they are missing and NEO4J_TESTS_REQUIRED=1.
    """
    missing = missing_tools()
    if not missing:
        return
    reason = (
        f"Neo4j server tests need Java 17 or 21 and Maven (to fetch Neo4j from Maven Central); "
        f"not found: {', '.join(missing)}"
    )
    if os.environ.get("NEO4J_TESTS_REQUIRED") == "1":
        pytest.fail(reason + " (NEO4J_TESTS_REQUIRED=1)", pytrace=False)
    pytest.skip(reason)


def _run(*args: str | Path, timeout: float, env: dict[str, str] | None = None) -> str:
    """Run the script; return its stdout, or fail the test with its output."""
    try:
        result = subprocess.run(
            ["bash", str(SCRIPT), *map(str, args)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"neo4j-test-server.sh {args[0]} timed out after {timeout:.0f}s: {exc.stderr!r}", pytrace=False)
    if result.returncode != 0:
        pytest.fail(
            f"neo4j-test-server.sh {' '.join(map(str, args))} exited {result.returncode}\n"
            f"--- stdout (tail)\n{result.stdout[-3000:]}\n--- stderr (tail)\n{result.stderr[-3000:]}",
            pytrace=False,
        )
    return result.stdout


def fetch() -> Path:
    """Fetch Neo4j into the cache unless it is there; return its lib folder."""
    require_java_maven()
    return Path(_run("fetch", timeout=FETCH_TIMEOUT_S).strip().splitlines()[-1])


def neo4j_home(tmp_path: Path) -> Path:
    """A fresh Neo4j home under ``tmp_path``, Neo4j fetched; skips when java or mvn is missing."""
    fetch()
    home = tmp_path / "neo4j"
    home.mkdir(exist_ok=True)
    return home


def start(home: Path, password: str | None = None) -> Neo4jServer:
    """Start a server in ``home``; returns once bolt answers."""
    env = dict(os.environ)
    env.pop("NEO4J_PASSWORD", None)
    if password is not None:
        env["NEO4J_PASSWORD"] = password
    uri = _run("start", home, timeout=START_TIMEOUT_S, env=env).strip().splitlines()[-1]
    return Neo4jServer(home=home, bolt_uri=uri, auth=("neo4j", password) if password is not None else None)


def stop(home: Path) -> None:
    """Stop the server in ``home``; nothing happens when none runs."""
    _run("stop", home, timeout=START_TIMEOUT_S)


def import_csv(home: Path, nodes: Path | str, relationships: Path | str, *options: str) -> str:
    """``neo4j-admin database import full`` into ``home``'s ``neo4j`` database; returns the tool's report.

    The script's defaults (tab delimiter, ``|`` array delimiter, no quote character, string ids,
    overwrite) suit the KGX TSV export; ``options`` override them one by one (``--delimiter=,``).
    ``nodes`` and ``relationships`` are what follows ``--nodes=`` / ``--relationships=``: a file, a
    comma-separated header,data list, or ``Label=file``. The server in ``home`` must be stopped.
    """
    return _run("import", home, nodes, relationships, *options, timeout=IMPORT_TIMEOUT_S)


@contextmanager
def running_server(home: Path, password: str | None = None) -> Iterator[Neo4jServer]:
    """Start a server in ``home`` for the ``with`` block, and stop it after, even on failure."""
    server = start(home, password)
    try:
        yield server
    finally:
        stop(home)


@pytest.fixture(scope="session")
def neo4j_session_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jServer]:
    """One empty server shared by a whole test session (tests must clean up what they write).

    Expose it from conftest.py with ``from neo4j_server import neo4j_session_server  # noqa: F401``.
    """
    home = neo4j_home(tmp_path_factory.mktemp("neo4j-session"))
    with running_server(home) as server:
        yield server
