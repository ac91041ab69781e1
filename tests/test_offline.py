"""The whole pipeline, kgx's Validator included, runs with the network blocked."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from ncbi_gene_kg.paths import PROJECT_ROOT

BLOCK_NETWORK = textwrap.dedent("""
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network blocked by the test")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
""")


def test_build_and_kgx_validation_with_the_network_blocked(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(BLOCK_NETWORK)
    script = (
        "import socket, sys\n"
        "assert socket.getaddrinfo is not None\n"
        "try:\n"
        "    socket.create_connection(('example.org', 443))\n"
        "except OSError as error:\n"
        "    assert 'blocked' in str(error)\n"
        "else:\n"
        "    sys.exit('the network is not blocked')\n"
        "from ncbi_gene_kg.cli import run\n"
        f"sys.argv = ['ncbi-gene-kg', 'transform', '--out', {str(tmp_path / 'out')!r}]\n"
        "run()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "validation: PASS, 0 errors" in done.stderr
    assert (tmp_path / "out" / "ncbi_gene_nodes.tsv").read_text().count("biolink:Gene") > 0


def test_the_model_is_loaded_once_for_our_checks_and_kgx() -> None:
    """kgx builds a Toolkit when imported (kgx_utils.tk) and keeps a default one; both are ours, so the
    schema is parsed once (about 2 s a build). A fresh process: kgx must not have been imported yet."""
    script = textwrap.dedent("""
        from bmt import Toolkit
        from ncbi_gene_kg import biolink
        biolink.use_offline_model()  # the pinned schema as Toolkit's default, before the count wraps it
        loads = []
        load = Toolkit.__init__
        def counted(self, *args, **kwargs):
            loads.append(1)
            load(self, *args, **kwargs)
        Toolkit.__init__ = counted
        biolink.share_toolkit()
        import kgx.utils.kgx_utils as kgx_utils
        from kgx.validator import Validator
        Validator()
        assert Toolkit.__init__ is counted, "share_toolkit restores bmt's Toolkit"
        assert kgx_utils.tk.view is biolink.toolkit().view and kgx_utils.get_toolkit() is biolink.toolkit()
        print(len(loads))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "1"
