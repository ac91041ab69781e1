"""`make download` against a real HTTP server on 127.0.0.1 serving real NCBI files (no network)."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rich.console import Console

from ncbi_gene_kg import download as dl
from ncbi_gene_kg.download import (
    DownloadError,
    Fetched,
    NetworkUnreachable,
    Transfer,
    download,
    load_config,
    read_manifest,
    select_files,
)
from ncbi_gene_kg.taxa import load_scope

FIXTURES = Path(__file__).parent / "fixtures" / "download"  # real NCBI rows; see its README.md
GENE_INFO = (FIXTURES / "gene_info").read_bytes()
GENE2GO = (FIXTURES / "gene2go").read_bytes()
MIM2GENE = FIXTURES / "mim2gene_medgen"
MIM2GENE_SHA256 = "e6d13588c23ebcf279e1d59aa499e240178b0fb57af5093462a521ce81319ac4"
MTIME = 1767225600  # 2026-01-01 00:00:00 UTC, the Last-Modified of every served file
LAST_MODIFIED = "Thu, 01 Jan 2026 00:00:00 GMT"
NOW = "2026-02-03T04:05:06Z"
FAST = Transfer(timeout=2, retries=2, backoff=0)
BOTH = ["gene_info", "mim2gene_medgen"]


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


@dataclass
class Mirror:
    """A directory served over HTTP with ETag, Last-Modified, 304s, Range/If-Range, and injected faults.

    ``faults[path]`` is a queue of faults for the next requests of that path: ``("cut", n)`` sends the
    headers of the full answer, then n body bytes, then closes the connection; ``("status", code)``
    answers with that status; ``("stall", where)`` goes silent before the headers or mid-body.
    """

    root: Path
    url: str = ""
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    faults: dict[str, list[tuple[str, int | str]]] = field(default_factory=dict)
    ignore_if_range: bool = False  # like a server that does not implement If-Range
    released: threading.Event = field(default_factory=threading.Event)

    def put(self, path: str, body: bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        mtime = MTIME + len(self.requests)  # a file changed after requests gets a later Last-Modified
        os.utime(target, (mtime, mtime))

    def headers_of(self, path: str) -> list[dict[str, str]]:
        return [headers for requested, headers in self.requests if requested == path]


class Handler(BaseHTTPRequestHandler):
    server: MirrorServer

    def log_message(self, format: str, *args: object) -> None:  # silence the access log
        pass

    def do_GET(self) -> None:
        mirror = self.server.mirror
        path = self.path.lstrip("/")
        sent = {
            k: v for k, v in self.headers.items() if k in ("Range", "If-Range", "If-None-Match", "If-Modified-Since")
        }
        mirror.requests.append((path, sent))
        fault = mirror.faults.get(path, []).pop(0) if mirror.faults.get(path) else None
        if fault and fault[0] == "status":
            self.send_error(int(fault[1]))
            return
        if fault == ("stall", "headers"):
            mirror.released.wait(10)
            return
        file = mirror.root / path
        if not file.is_file():
            self.send_error(404)
            return
        body = file.read_bytes()
        tag, modified = etag(body), formatdate(file.stat().st_mtime, usegmt=True)
        if self._not_modified(tag, file.stat().st_mtime):
            self.send_response(304)
            self.end_headers()
            return
        start = self._range_start(tag, modified)
        if start >= len(body) > 0:
            self.send_error(416)
            return
        self.send_response(206 if start else 200)
        self.send_header("ETag", tag)
        self.send_header("Last-Modified", modified)
        self.send_header("Content-Length", str(len(body) - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.end_headers()
        rest = body[start:]
        if fault and fault[0] == "cut":
            self.wfile.write(rest[: int(fault[1])])
            return
        if fault == ("stall", "body"):
            self.wfile.write(rest[:10])
            self.wfile.flush()
            mirror.released.wait(10)
            return
        self.wfile.write(rest)

    def _not_modified(self, tag: str, mtime: float) -> bool:
        if "If-None-Match" in self.headers:
            return self.headers["If-None-Match"] == tag
        since = self.headers.get("If-Modified-Since")
        return since is not None and parsedate_to_datetime(since).timestamp() >= int(mtime)

    def _range_start(self, tag: str, modified: str) -> int:
        wanted = self.headers.get("Range", "")
        if_range = self.headers.get("If-Range")
        honoured = self.server.mirror.ignore_if_range or if_range in (None, tag, modified)
        if not wanted.startswith("bytes=") or not honoured:
            return 0
        return int(wanted.removeprefix("bytes=").removesuffix("-"))


class MirrorServer(ThreadingHTTPServer):
    """Serves a Mirror on 127.0.0.1, on a free port."""

    daemon_threads = True

    def __init__(self, mirror: Mirror) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.mirror = mirror


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[Mirror]:
    served = Mirror(tmp_path / "mirror")
    served.put("gene_info.gz", gzip.compress(GENE_INFO, mtime=0))
    served.put("GENE_INFO/Mammalia/Homo_sapiens.gene_info.gz", gzip.compress(GENE_INFO, mtime=0))
    served.put("mim2gene_medgen", MIM2GENE.read_bytes())
    server = MirrorServer(served)
    served.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield served
    served.released.set()
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def fixed_clock_and_no_mirror_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dl, "_now", lambda: NOW)
    monkeypatch.delenv(dl.BASE_URL_ENV, raising=False)


def record(mirror: Mirror, path: str) -> dict[str, object]:
    body = (mirror.root / path).read_bytes()
    return {
        "downloaded": NOW,
        "etag": etag(body),
        "last_modified": formatdate((mirror.root / path).stat().st_mtime, usegmt=True),
        "sha256": hashlib.sha256(body).hexdigest(),
        "size": len(body),
        "url": mirror.url + path,
    }


def test_fresh_download_writes_verified_files_and_manifest(mirror: Mirror, tmp_path: Path) -> None:
    data = tmp_path / "data"
    fetched = download(data, taxa="all", base_url=mirror.url, files=BOTH, transfer=FAST)
    assert fetched == [Fetched("gene_info.gz", "downloaded"), Fetched("mim2gene_medgen", "downloaded")]
    assert gzip.decompress((data / "gene_info.gz").read_bytes()) == GENE_INFO
    assert (data / "mim2gene_medgen").read_bytes() == MIM2GENE.read_bytes()
    assert sorted(p.name for p in data.iterdir()) == ["gene_info.gz", "manifest.json", "mim2gene_medgen"]
    assert read_manifest(data) == {
        "files": {
            "gene_info.gz": record(mirror, "gene_info.gz"),
            "mim2gene_medgen": {
                "downloaded": NOW,
                "etag": '"e6d13588c23ebcf2"',
                "last_modified": LAST_MODIFIED,
                "sha256": MIM2GENE_SHA256,
                "size": 8993,
                "url": mirror.url + "mim2gene_medgen",
            },
        }
    }
    text = (data / "manifest.json").read_text()
    assert text.index('"downloaded"') < text.index('"etag"') < text.index('"url"')  # sorted keys
    assert text.endswith("}\n")


def test_unchanged_file_is_not_fetched_again(
    mirror: Mirror, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    download(data, taxa="all", base_url=mirror.url, files=BOTH, transfer=FAST)
    before = {name: (data / name).stat() for name in ("gene_info.gz", "mim2gene_medgen", "manifest.json")}
    capsys.readouterr()
    fetched = download(data, taxa="all", base_url=mirror.url, files=BOTH, transfer=FAST)
    assert fetched == [Fetched("gene_info.gz", "unchanged"), Fetched("mim2gene_medgen", "unchanged")]
    assert capsys.readouterr().err.splitlines() == [
        "gene_info: the all-species gene_info.gz (taxon scope 'all')",
        "unchanged: gene_info.gz",
        "unchanged: mim2gene_medgen",
    ]
    assert mirror.headers_of("gene_info.gz")[-1] == {
        "If-None-Match": etag(gzip.compress(GENE_INFO, mtime=0)),
        "If-Modified-Since": LAST_MODIFIED,
    }
    for name, stat in before.items():
        assert ((data / name).stat().st_ino, (data / name).stat().st_mtime_ns) == (
            stat.st_ino,
            stat.st_mtime_ns,
        )


def test_progress_bar_on_a_terminal_shows_the_size(mirror: Mirror, tmp_path: Path) -> None:
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=100)
    download(tmp_path / "data", base_url=mirror.url, files=["mim2gene_medgen"], transfer=FAST, console=terminal)
    assert "mim2gene_medgen" in screen.getvalue()
    assert "8.8/8.8 KiB" in screen.getvalue()  # the rate column shows '?' for so short a transfer


def test_force_fetches_again_without_validators(mirror: Mirror, tmp_path: Path) -> None:
    data = tmp_path / "data"
    download(data, taxa="all", base_url=mirror.url, files=["mim2gene_medgen"], transfer=FAST)
    fetched = download(data, taxa="all", base_url=mirror.url, files=["mim2gene_medgen"], force=True, transfer=FAST)
    assert fetched == [Fetched("mim2gene_medgen", "downloaded")]
    assert mirror.headers_of("mim2gene_medgen")[-1] == {}


def test_changed_file_is_fetched_again(mirror: Mirror, tmp_path: Path) -> None:
    data = tmp_path / "data"
    download(data, taxa="all", base_url=mirror.url, files=["gene_info"], transfer=FAST)
    changed = gzip.compress(GENE_INFO + GENE_INFO.splitlines(keepends=True)[1], mtime=0)
    mirror.put("gene_info.gz", changed)
    assert download(data, taxa="all", base_url=mirror.url, files=["gene_info"], transfer=FAST) == [
        Fetched("gene_info.gz", "downloaded")
    ]
    assert (data / "gene_info.gz").read_bytes() == changed
    assert read_manifest(data)["files"]["gene_info.gz"] == record(mirror, "gene_info.gz")


def test_interrupted_transfer_resumes_with_range(mirror: Mirror, tmp_path: Path) -> None:
    data, body = tmp_path / "data", MIM2GENE.read_bytes()
    half = len(body) // 2
    mirror.faults["mim2gene_medgen"] = [("cut", half)]
    fetched = download(data, taxa="all", base_url=mirror.url, files=["mim2gene_medgen"], transfer=FAST)
    assert fetched == [Fetched("mim2gene_medgen", "downloaded")]
    assert mirror.headers_of("mim2gene_medgen") == [
        {},
        {"Range": f"bytes={half}-", "If-Range": etag(body)},
    ]
    assert (data / "mim2gene_medgen").read_bytes() == body
    assert sorted(p.name for p in data.iterdir()) == ["manifest.json", "mim2gene_medgen"]
    assert read_manifest(data)["files"]["mim2gene_medgen"]["sha256"] == MIM2GENE_SHA256


def test_interrupted_run_is_resumed_by_the_next_run(mirror: Mirror, tmp_path: Path) -> None:
    data, body = tmp_path / "data", gzip.compress(GENE_INFO, mtime=0)
    url = mirror.url + "gene_info.gz"
    mirror.faults["gene_info.gz"] = [("cut", 500)]
    once = Transfer(timeout=2, retries=0, backoff=0)
    with pytest.raises(DownloadError) as error:
        download(data, taxa="all", base_url=mirror.url, files=["gene_info"], transfer=once)
    assert str(error.value) == f"{url}: connection lost (gave up after 1 attempt)"
    assert (data / "gene_info.gz.part").read_bytes() == body[:500]
    assert not (data / "gene_info.gz").exists()
    download(data, taxa="all", base_url=mirror.url, files=["gene_info"], transfer=once)
    assert mirror.headers_of("gene_info.gz")[-1] == {"Range": "bytes=500-", "If-Range": etag(body)}
    assert (data / "gene_info.gz").read_bytes() == body
    assert sorted(p.name for p in data.iterdir()) == ["gene_info.gz", "manifest.json"]


def test_resume_onto_a_changed_file_is_rejected_by_size(mirror: Mirror, tmp_path: Path) -> None:
    """A server that ignores If-Range would splice two versions; the size check catches it."""
    data, url = tmp_path / "data", mirror.url + "mim2gene_medgen"
    body = MIM2GENE.read_bytes()
    mirror.faults["mim2gene_medgen"] = [("cut", 1000)]
    once = Transfer(timeout=2, retries=0, backoff=0)
    with pytest.raises(DownloadError):
        download(data, taxa="all", base_url=mirror.url, files=["mim2gene_medgen"], transfer=once)
    mirror.put("mim2gene_medgen", body + b"100001\t-\tphenotype\t-\tC0000000\t-\n")
    mirror.ignore_if_range = True
    with pytest.raises(DownloadError) as error:
        download(data, taxa="all", base_url=mirror.url, files=["mim2gene_medgen"], transfer=once)
    assert str(error.value) == f"rejected {url}: got {len(body) + 32} bytes, expected {len(body)}"
    assert sorted(p.name for p in data.iterdir()) == []
    download(data, taxa="all", base_url=mirror.url, files=["mim2gene_medgen"], transfer=once)
    assert (data / "mim2gene_medgen").read_bytes() == (mirror.root / "mim2gene_medgen").read_bytes()


def test_truncated_gzip_is_rejected_and_the_previous_file_kept(mirror: Mirror, tmp_path: Path) -> None:
    data, url = tmp_path / "data", mirror.url + "gene_info.gz"
    download(data, taxa="all", base_url=mirror.url, files=["gene_info"], transfer=FAST)
    good, manifest = (data / "gene_info.gz").read_bytes(), read_manifest(data)
    mirror.put("gene_info.gz", good[: len(good) // 2])
    with pytest.raises(DownloadError) as error:
        download(data, taxa="all", base_url=mirror.url, files=["gene_info"], transfer=FAST)
    assert str(error.value) == (
        f"rejected {url}: not a complete gzip file "
        "(Compressed file ended before the end-of-stream marker was reached); kept the previous file"
    )
    assert (data / "gene_info.gz").read_bytes() == good
    assert read_manifest(data) == manifest
    assert sorted(p.name for p in data.iterdir()) == ["gene_info.gz", "manifest.json"]


def test_wrong_header_is_rejected(mirror: Mirror, tmp_path: Path) -> None:
    data, url = tmp_path / "data", mirror.url + "gene_info.gz"
    mirror.put("gene_info.gz", gzip.compress(GENE2GO, mtime=0))
    with pytest.raises(DownloadError) as error:
        download(data, taxa="all", base_url=mirror.url, files=["gene_info"], transfer=FAST)
    assert str(error.value) == (
        f"rejected {url}: first line '#tax_id\\tGeneID\\tGO_ID\\tEvidence\\tQualifier\\tGO_term\\tPubMed"
        "\\tCategory' does not start with '#tax_id\\tGeneID\\tSymbol'"
    )
    assert sorted(p.name for p in data.iterdir()) == []


def test_not_gzip_at_all_is_rejected(mirror: Mirror, tmp_path: Path) -> None:
    data, url = tmp_path / "data", mirror.url + "gene_info.gz"
    mirror.put("gene_info.gz", b"<html>maintenance</html>\n")
    with pytest.raises(DownloadError) as error:
        download(data, taxa="all", base_url=mirror.url, files=["gene_info"], transfer=FAST)
    assert str(error.value) == f"rejected {url}: not a complete gzip file (Not a gzipped file (b'<h'))"


def test_server_error_is_retried(mirror: Mirror, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, url = tmp_path / "data", mirror.url + "mim2gene_medgen"
    mirror.faults["mim2gene_medgen"] = [("status", 500), ("status", 503)]
    fetched = download(data, taxa="all", base_url=mirror.url, files=["mim2gene_medgen"], transfer=FAST)
    assert fetched == [Fetched("mim2gene_medgen", "downloaded")]
    assert len(mirror.headers_of("mim2gene_medgen")) == 3
    assert capsys.readouterr().err.splitlines() == [
        f"{url}: HTTP 500 Internal Server Error; retry 1 of 2 in 0 s",
        f"{url}: HTTP 503 Service Unavailable; retry 2 of 2 in 0 s",
        "downloaded: mim2gene_medgen",
    ]


def test_persistent_server_error_names_the_url(mirror: Mirror, tmp_path: Path) -> None:
    url = mirror.url + "mim2gene_medgen"
    mirror.faults["mim2gene_medgen"] = [("status", 500)] * 3
    with pytest.raises(DownloadError) as error:
        download(tmp_path / "data", taxa="all", base_url=mirror.url, files=["mim2gene_medgen"], transfer=FAST)
    assert str(error.value) == f"{url}: HTTP 500 Internal Server Error (gave up after 3 attempts)"


def test_not_found_is_not_retried(mirror: Mirror, tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as error:
        download(tmp_path / "data", taxa="all", base_url=mirror.url, files=["gene_group"], transfer=FAST)
    assert str(error.value) == f"{mirror.url}gene_group.gz: HTTP 404 Not Found"
    assert len(mirror.headers_of("gene_group.gz")) == 1


@pytest.mark.parametrize("where", ["headers", "body"])
def test_stalled_server_times_out(mirror: Mirror, tmp_path: Path, where: str) -> None:
    data, url = tmp_path / "data", mirror.url + "mim2gene_medgen"
    mirror.faults["mim2gene_medgen"] = [("stall", where)]
    with pytest.raises(DownloadError) as error:
        download(
            data,
            taxa="all",
            base_url=mirror.url,
            files=["mim2gene_medgen"],
            transfer=Transfer(timeout=0.2, retries=0, backoff=0),
        )
    assert str(error.value) == f"{url}: no data for 0.2 s (gave up after 1 attempt)"
    assert not (data / "mim2gene_medgen").exists()


def test_unreachable_network_says_the_sample_still_works(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a free port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(NetworkUnreachable) as error:
        download(
            tmp_path / "data",
            taxa="all",
            base_url=f"http://127.0.0.1:{port}",
            files=["gene2go"],
            transfer=Transfer(timeout=1, retries=1, backoff=0),
        )
    assert str(error.value) == (
        f"network unreachable: cannot connect to 127.0.0.1:{port} for http://127.0.0.1:{port}/gene2go.gz; "
        "`make transform` still runs on the bundled sample"
    )


def test_base_url_from_the_environment(mirror: Mirror, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NCBI_GENE_BASE_URL", mirror.url.rstrip("/"))
    assert download(tmp_path / "data", taxa="all", files=["mim2gene_medgen"], transfer=FAST) == [
        Fetched("mim2gene_medgen", "downloaded")
    ]
    assert read_manifest(tmp_path / "data")["files"]["mim2gene_medgen"]["url"] == mirror.url + "mim2gene_medgen"


def test_not_an_http_base_url(tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as error:
        download(tmp_path / "data", base_url="ftp.ncbi.nlm.nih.gov/gene/DATA")
    assert str(error.value) == "base URL 'ftp.ncbi.nlm.nih.gov/gene/DATA' is not an http:// or https:// URL"


def test_per_species_subset_is_downloaded_for_a_small_scope(
    mirror: Mirror, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, remote = tmp_path / "data", "GENE_INFO/Mammalia/Homo_sapiens.gene_info.gz"
    fetched = download(data, taxa="9606", base_url=mirror.url, files=["gene_info"], transfer=FAST)
    assert fetched == [Fetched("Homo_sapiens.gene_info.gz", "downloaded")]
    assert sorted(p.name for p in data.iterdir()) == ["Homo_sapiens.gene_info.gz", "manifest.json"]
    assert (data / "Homo_sapiens.gene_info.gz").read_bytes() == (mirror.root / remote).read_bytes()
    assert read_manifest(data) == {"files": {"Homo_sapiens.gene_info.gz": record(mirror, remote)}}
    assert capsys.readouterr().err.splitlines() == [
        "gene_info: 1 per-species file under GENE_INFO/ for taxon scope '9606', "
        "instead of the all-species gene_info.gz",
        "downloaded: Homo_sapiens.gene_info.gz",
    ]
    assert mirror.headers_of("gene_info.gz") == []


def test_default_scope_selects_every_per_species_subset() -> None:
    config = load_config()
    selection = select_files(load_scope("default"), None, config)
    subsets = [
        "Mammalia/Homo_sapiens",
        "Mammalia/Mus_musculus",
        "Mammalia/Rattus_norvegicus",
        "Mammalia/Canis_familiaris",
        "Mammalia/Bos_taurus",
        "Mammalia/Sus_scrofa",
        "Non-mammalian_vertebrates/Gallus_gallus",
        "Non-mammalian_vertebrates/Danio_rerio",
        "Non-mammalian_vertebrates/Xenopus_tropicalis",
        "Non-mammalian_vertebrates/Xenopus_laevis",
        "Invertebrates/Drosophila_melanogaster",
        "Invertebrates/Caenorhabditis_elegans",
        "Fungi/Saccharomyces_cerevisiae",
        "Fungi/Schizosaccharomyces_pombe",
        "Plants/Arabidopsis_thaliana",
        "Archaea_Bacteria/Escherichia_coli_str._K-12_substr._MG1655",
    ]
    assert [f.path for f in selection.files] == [f"GENE_INFO/{s}.gene_info.gz" for s in subsets] + [
        "gene_summary.gz",
        "gene2go.gz",
        "mim2gene_medgen",
        "gene_orthologs.gz",
        "gene_group.gz",
        "gene_history.gz",
        "gene2ensembl.gz",
        "gene2refseq.gz",
        "gene_refseq_uniprotkb_collab.gz",
        "gene2pubmed.gz",
        "gene_neighbors.gz",
    ]
    assert {f.header for f in selection.files[:16]} == {"#tax_id\tGeneID\tSymbol"}
    assert selection.note == (
        "gene_info: 16 per-species files under GENE_INFO/ for taxon scope 'default', "
        "instead of the all-species gene_info.gz"
    )


@pytest.mark.parametrize(
    ("taxa", "note"),
    [
        ("all", "gene_info: the all-species gene_info.gz (taxon scope 'all')"),
        (
            "9606,1234,5678",
            "gene_info: the all-species gene_info.gz (no per-species file for tax_id 1234, 5678)",
        ),
    ],
)
def test_all_species_gene_info_when_a_subset_is_missing(taxa: str, note: str) -> None:
    selection = select_files(load_scope(taxa), ["gene_info", "gene2go"], load_config())
    assert [f.path for f in selection.files] == ["gene_info.gz", "gene2go.gz"]
    assert selection.note == note


def test_without_gene_info_there_is_no_note() -> None:
    selection = select_files(load_scope("default"), ["gene2pubmed"], load_config())
    assert (selection.files, selection.note) == ((load_config().files["gene2pubmed"],), "")


def test_unknown_file_name() -> None:
    with pytest.raises(DownloadError) as error:
        select_files(load_scope("default"), ["gene2foo"], load_config())
    assert str(error.value) == (
        "unknown file 'gene2foo': choose from gene_info, gene_summary, gene2go, mim2gene_medgen, "
        "gene_orthologs, gene_group, gene_history, gene2ensembl, gene2refseq, "
        "gene_refseq_uniprotkb_collab, gene2pubmed, gene_neighbors"
    )


def test_manifest_of_a_directory_without_downloads_is_empty(tmp_path: Path) -> None:
    assert read_manifest(tmp_path) == {"files": {}}


def test_config_headers_match_the_real_files() -> None:
    """Every expected header prefix starts the header line of a real sample of that file."""
    config = load_config()
    samples = sorted(p.name for p in FIXTURES.iterdir() if p.name in config.files)
    assert samples == sorted(set(config.files) - {"gene_summary"})  # no sample of it
    for name in samples:
        with (FIXTURES / name).open() as stream:
            assert stream.readline().startswith(config.files[name].header), name
