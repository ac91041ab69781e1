"""Fetch the NCBI Gene files the transforms read (``make download``).

Every file is fetched over HTTP(S) into ``<name>.part``, verified (complete size, gzip integrity,
expected header line) and only then renamed over the previous copy, so an interrupted or corrupted
download never replaces a good file. Unchanged files are not fetched again (ETag / If-Modified-Since),
an interrupted transfer resumes with a Range request, 5xx answers and connection errors are retried
with exponential backoff. ``DATA/manifest.json`` records what was fetched; ``read_manifest`` reads it.

The files are those the source configs read (their URLs and header columns, sources.py);
``config/download.yaml`` holds the base URL and where the per-species gene_info files are. Each file is saved in DATA
under its own name, per-species subsets too (``DATA/gene2go.gz``, ``DATA/Homo_sapiens.gene_info.gz``),
which is where the transforms look for them.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import time
import zlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import requests
import yaml
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from urllib3.exceptions import NewConnectionError, ProtocolError, ReadTimeoutError

from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.paths import CONFIG_DIR
from ncbi_gene_kg.sources import discover_sources
from ncbi_gene_kg.taxa import TaxonScope, load_scope

DOWNLOAD_CONFIG = CONFIG_DIR / "download.yaml"
BASE_URL_ENV = "NCBI_GENE_BASE_URL"
MANIFEST = "manifest.json"
CHUNK = 1 << 20

Record = dict[str, str | int | None]
"""A manifest entry: url, size, sha256, etag, last_modified, downloaded (UTC, ISO 8601)."""


class DownloadError(UserError):
    """A file could not be fetched or was rejected; the message names the URL."""


class NetworkUnreachable(DownloadError):
    """No connection to the server could be made at all."""


class _Transient(Exception):
    """A failure worth retrying that requests does not raise: a 5xx, a partial file that cannot resume."""


@dataclass(frozen=True)
class RemoteFile:
    """One file to fetch: its config name, its path under the base URL, its header prefix."""

    name: str
    path: str
    header: str

    @property
    def filename(self) -> str:
        """The name it is saved under in DATA and recorded under in the manifest."""
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class DownloadConfig:
    """The contents of ``config/download.yaml``."""

    base_url: str
    gene_info_subsets: str
    files: dict[str, RemoteFile]


@dataclass(frozen=True)
class Selection:
    """The files that cover a taxon scope; ``note`` says which gene_info files and why ('' if none)."""

    files: tuple[RemoteFile, ...]
    note: str


@dataclass(frozen=True)
class Transfer:
    """Network settings: seconds to wait for a connection or for data, retries and the first backoff delay."""

    timeout: float = 60.0
    retries: int = 3
    backoff: float = 1.0


@dataclass(frozen=True)
class Fetched:
    """The outcome for one file: its name in DATA and whether it was downloaded or found unchanged."""

    filename: str
    status: Literal["downloaded", "unchanged"]


DEFAULT_TRANSFER = Transfer()
# requests raises the first ones before the body; reading the body raw raises urllib3's own.
RETRYABLE = (requests.ConnectionError, requests.Timeout, ProtocolError, ReadTimeoutError, _Transient)


def load_config(path: Path = DOWNLOAD_CONFIG) -> DownloadConfig:
    """The download settings (``config/download.yaml``) and every file the source configs read.

    A file's path under the base URL comes from its config's URL, its header from its columns.

    :raises UserError: if the file is missing or malformed, or a source's URL is not under the base URL.

    >>> load_config().files["gene2go"].header
    '#tax_id\\tGeneID\\tGO_ID'
    """
    try:
        raw = yaml.safe_load(path.read_text())
        base_url, subsets = raw["base_url"], raw["gene_info_subsets"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise UserError(f"{path}: not a valid download config ({error})") from error
    files = {}
    for source in sorted(discover_sources(), key=lambda s: s.merge_rank):  # gene_info first
        for file in source.files:
            if not file.url.startswith(base_url):
                raise UserError(f"{source.path}: the URL of {file.name} ({file.url}) is not under {base_url}")
            files[file.name] = RemoteFile(file.name, file.url.removeprefix(base_url), file.header)
    return DownloadConfig(base_url, subsets, files)


def select_files(scope: TaxonScope, names: list[str] | None, config: DownloadConfig) -> Selection:
    """The files to fetch: the named ones (default all), with gene_info narrowed to the scope if possible.

    gene_info becomes the per-species subsets when every taxon in the scope has one; a scope of every
    taxon (``all``) or with a taxon that lacks a subset needs the all-species gene_info.gz.

    :raises DownloadError: if a name is not in the config.

    >>> selection = select_files(load_scope("9606,10090"), ["gene_info", "gene2go"], load_config())
    >>> for remote in selection.files:
    ...     print(remote.path)
    GENE_INFO/Mammalia/Homo_sapiens.gene_info.gz
    GENE_INFO/Mammalia/Mus_musculus.gene_info.gz
    gene2go.gz
    """
    unknown = [name for name in names or () if name not in config.files]
    if unknown:
        raise DownloadError(f"unknown file {unknown[0]!r}: choose from {', '.join(config.files)}")
    chosen = [config.files[name] for name in dict.fromkeys(names or config.files)]
    gene_info = config.files["gene_info"]
    if gene_info not in chosen:
        return Selection(tuple(chosen), "")
    subsets, note = _gene_info_files(scope, gene_info, config.gene_info_subsets)
    at = chosen.index(gene_info)
    return Selection((*chosen[:at], *subsets, *chosen[at + 1 :]), note)


def _gene_info_files(scope: TaxonScope, gene_info: RemoteFile, under: str) -> tuple[list[RemoteFile], str]:
    """The gene_info files that cover the scope (the per-species ones when they suffice), and why."""
    everything = "gene_info: the all-species gene_info.gz"
    if scope.taxa is None:
        return [gene_info], f"{everything} (taxon scope 'all')"
    lacking = [str(taxon.tax_id) for taxon in scope.taxa if not taxon.gene_info_subset]
    if lacking:
        return [gene_info], f"{everything} (no per-species file for tax_id {', '.join(lacking)})"
    paths = dict.fromkeys(under + str(taxon.gene_info_subset) for taxon in scope.taxa)
    subsets = [RemoteFile(gene_info.name, path, gene_info.header) for path in paths]
    return subsets, (
        f"gene_info: {len(subsets)} per-species file{'s' if len(subsets) > 1 else ''} under {under} "
        f"for taxon scope '{scope.name}', instead of the all-species gene_info.gz"
    )


def download(
    data_dir: Path,
    taxa: str = "default",
    base_url: str | None = None,
    files: list[str] | None = None,
    force: bool = False,
    transfer: Transfer = DEFAULT_TRANSFER,
    console: Console | None = None,
) -> list[Fetched]:
    """Fetch the files for a taxon scope into ``data_dir`` and record them in its manifest.json.

    :param data_dir: where the files go (created if missing); the transform reads from there.
    :param taxa: a scope name from config/taxa.yaml, ``all``, or comma-separated tax_ids or labels.
    :param base_url: the NCBI Gene DATA directory or a mirror; default ``$NCBI_GENE_BASE_URL``, else the
        config's base_url.
    :param files: config names of the files to fetch (e.g. ``["gene2go"]``); default all of them.
    :param force: fetch every file again even if the server says it is unchanged.
    :param transfer: timeout, retries and backoff.
    :param console: where the choice of files, retries, progress bars and outcomes go (default stderr).
    :returns: one outcome per file, in the order fetched (config order unless ``files`` says otherwise).
    :raises NetworkUnreachable: if no connection can be made (the message says the sample still works).
    :raises DownloadError: on any other failure; files accepted before it stay in place and in the manifest.
    """
    config = load_config()
    selection = select_files(load_scope(taxa), files, config)
    root = _base_url(base_url, config)
    console = console or Console(stderr=True)
    if selection.note:
        _say(console, selection.note)
    manifest = read_manifest(data_dir)["files"]
    fetched = []
    with requests.Session() as session:
        client = _Client(session, transfer, console)
        for remote in selection.files:
            previous = None if force else manifest.get(remote.filename)
            record = client.fetch(root + remote.path, data_dir / remote.filename, remote.header, previous)
            if record is not None:
                manifest[remote.filename] = record
                _write_manifest(data_dir, manifest)
            outcome = Fetched(remote.filename, "unchanged" if record is None else "downloaded")
            _say(console, f"{outcome.status}: {outcome.filename}")
            fetched.append(outcome)
    return fetched


def read_manifest(data_dir: Path) -> dict[str, dict[str, Record]]:
    """The download records in ``data_dir/manifest.json``: ``{"files": {file name: Record}}``.

    ``files`` is empty if nothing was downloaded there (e.g. the bundled sample).

    :raises UserError: if the manifest exists but is not valid JSON.
    """
    path = data_dir / MANIFEST
    if not path.exists():
        return {"files": {}}
    try:
        manifest: dict[str, dict[str, dict[str, str | int | None]]] = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise UserError(f"{path}: not valid JSON ({error})") from error
    return manifest


def _write_manifest(data_dir: Path, files: dict[str, Record]) -> None:
    temporary = data_dir / (MANIFEST + ".tmp")
    temporary.write_text(json.dumps({"files": files}, indent=2, sort_keys=True) + "\n")
    os.replace(temporary, data_dir / MANIFEST)


def _base_url(explicit: str | None, config: DownloadConfig) -> str:
    url = explicit or os.environ.get(BASE_URL_ENV) or config.base_url
    if not url.startswith(("http://", "https://")):
        raise DownloadError(f"base URL {url!r} is not an http:// or https:// URL")
    return url.rstrip("/") + "/"


class _Client:
    """One download run: the HTTP session, the network settings, and the console for retries and progress."""

    def __init__(self, session: requests.Session, transfer: Transfer, console: Console) -> None:
        self.session = session
        self.transfer = transfer
        self.console = console

    def fetch(self, url: str, dest: Path, header: str, previous: Record | None) -> Record | None:
        """Fetch one file with retries; its manifest record, or None if the server says it is unchanged."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        retry = 0
        while True:
            try:
                changed = self._get(url, dest, previous)
            except RETRYABLE as error:
                if retry == self.transfer.retries:
                    raise _give_up(url, error, retry + 1, self.transfer.timeout) from error
                delay = self.transfer.backoff * 2**retry
                retry += 1
                reason = _reason(error, self.transfer.timeout)
                _say(self.console, f"{url}: {reason}; retry {retry} of {self.transfer.retries} in {delay:g} s")
                time.sleep(delay)
                continue
            return _accept(url, dest, header) if changed else None

    def _get(self, url: str, dest: Path, previous: Record | None) -> bool:
        """One GET into the partial file, resuming it if there is one; False if the server answers 304."""
        partial = _Partial(dest)
        offset = partial.resumable_size()
        headers = {"Accept-Encoding": "identity"}
        headers |= partial.range_headers(offset) if offset else _conditional_headers(dest, previous)
        with self.session.get(url, headers=headers, stream=True, timeout=self.transfer.timeout) as response:
            status = response.status_code
            if status == 304:
                return False
            if status >= 500:
                raise _Transient(f"HTTP {status} {response.reason}")
            if status == 200:
                offset = 0
                partial.begin(response)
            elif offset and status in (206, 416) and not _resumes_at(response, offset):
                partial.discard()
                raise _Transient(f"cannot resume at byte {offset} (HTTP {status})")
            elif not (offset and status == 206):
                raise DownloadError(f"{url}: HTTP {status} {response.reason}")
            self._save_body(response, partial.path, offset, partial.started().size, dest.name)
        return True

    def _save_body(self, response: requests.Response, path: Path, offset: int, total: int | None, label: str) -> None:
        """Write (or append, when resuming) the body as it arrives, with a progress bar on a terminal."""
        with (
            path.open("ab" if offset else "wb") as out,
            _progress_bar(self.console) as bar,
        ):
            task = bar.add_task(label, total=total, completed=offset)
            while chunk := response.raw.read1(CHUNK, decode_content=False):  # undecoded, as it arrives
                out.write(chunk)
                bar.advance(task, len(chunk))


def _say(console: Console, text: str) -> None:
    """One plain line: no markup, no highlighting, not wrapped (URLs stay copyable)."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _progress_bar(console: Console) -> Progress:
    """Size done, total, rate and time left; shown only on a terminal."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(binary_units=True),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    return Progress(*columns, console=console, disable=not console.is_terminal)


def _conditional_headers(dest: Path, previous: Record | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the manifest, if the file it describes is still there."""
    if not previous or not dest.exists() or dest.stat().st_size != previous["size"]:
        return {}
    validators = {"If-None-Match": previous["etag"], "If-Modified-Since": previous["last_modified"]}
    return {name: str(value) for name, value in validators.items() if value}


def _resumes_at(response: requests.Response, offset: int) -> bool:
    return response.status_code == 206 and response.headers.get("Content-Range", "").startswith(f"bytes {offset}-")


@dataclass(frozen=True)
class _Started:
    """What a partial file was started under: the server's validators and the full size."""

    etag: str | None
    last_modified: str | None
    size: int | None


class _Partial:
    """``<file>.part``, and in ``<file>.part.json`` the ``_Started`` it was started under."""

    def __init__(self, dest: Path) -> None:
        self.path = dest.with_name(dest.name + ".part")
        self.meta_path = dest.with_name(dest.name + ".part.json")

    def begin(self, response: requests.Response) -> None:
        """Record the validators and size of a full (200) response before its body is written."""
        length = response.headers.get("Content-Length")
        started = _Started(
            response.headers.get("ETag"),
            response.headers.get("Last-Modified"),
            int(length) if length else None,
        )
        self.meta_path.write_text(json.dumps(asdict(started)))

    def started(self) -> _Started:
        """The validators and size recorded when the partial download began (read from ``.part.json``)."""
        return _Started(**json.loads(self.meta_path.read_text()))

    def resumable_size(self) -> int:
        """Bytes already fetched, if they can be resumed (there is a validator to resume under), else 0."""
        if self.path.exists() and self.meta_path.exists() and self._if_range():
            return self.path.stat().st_size
        self.discard()
        return 0

    def range_headers(self, offset: int) -> dict[str, str]:
        """Ask for the rest, but only if the file is the one the partial copy came from (If-Range)."""
        return {"Range": f"bytes={offset}-", "If-Range": self._if_range()}

    def _if_range(self) -> str:
        """A strong ETag, else Last-Modified (If-Range does not accept weak ETags), else ''."""
        etag, last_modified = self.started().etag, self.started().last_modified
        return etag if etag and not etag.startswith("W/") else (last_modified or "")

    def discard(self) -> None:
        """Delete the partial file and its metadata, so the next download starts from the beginning."""
        self.path.unlink(missing_ok=True)
        self.meta_path.unlink(missing_ok=True)


def _accept(url: str, dest: Path, header: str) -> Record:
    """Verify the partial file and rename it over ``dest``; its manifest record.

    :raises DownloadError: if verification fails; the partial file is discarded and ``dest`` kept.
    """
    partial = _Partial(dest)
    started = partial.started()
    problem = _problem(partial.path, started.size, header, compressed=dest.suffix == ".gz")
    if problem:
        partial.discard()
        kept = "; kept the previous file" if dest.exists() else ""
        raise DownloadError(f"rejected {url}: {problem}{kept}")
    record: Record = {
        "url": url,
        "size": partial.path.stat().st_size,
        "sha256": sha256(partial.path),
        "etag": started.etag,
        "last_modified": started.last_modified,
        "downloaded": _now(),
    }
    os.replace(partial.path, dest)
    partial.meta_path.unlink()
    return record


def _problem(path: Path, expected_size: int | None, header: str, compressed: bool) -> str | None:
    """Why the file cannot be accepted: wrong size, wrong first line, or not a complete gzip file."""
    size = path.stat().st_size
    if expected_size is not None and size != expected_size:
        return f"got {size} bytes, expected {expected_size}"
    try:
        with gzip.open(path) if compressed else path.open("rb") as stream:
            first = stream.readline(1024).decode("utf-8", "replace").rstrip("\r\n")
            if not first.startswith(header):
                return f"first line {first[:80]!r} does not start with {header!r}"
            while stream.read(CHUNK):
                pass
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        return f"not a complete gzip file ({error})"
    return None


def sha256(path: Path) -> str:
    """The file's sha256, hex (read in 1 MB chunks)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cannot_connect(error: Exception) -> bool:
    """True if no connection was made at all (name resolution, refused, unreachable, connect timeout)."""
    cause = error.args[0] if error.args else None
    return isinstance(error, requests.ConnectTimeout) or isinstance(getattr(cause, "reason", None), NewConnectionError)


def _reason(error: Exception, timeout: float) -> str:
    """A short description of a retryable failure."""
    if isinstance(error, _Transient):
        return str(error)
    if _cannot_connect(error):
        return "cannot connect"
    if isinstance(error, requests.Timeout | ReadTimeoutError):
        return f"no data for {timeout:g} s"
    return "connection lost"


def _give_up(url: str, error: Exception, attempts: int, timeout: float) -> DownloadError:
    if _cannot_connect(error):
        return NetworkUnreachable(
            f"network unreachable: cannot connect to {urlsplit(url).netloc} for {url}; "
            "`make transform` still runs on the bundled sample"
        )
    tries = f"{attempts} attempt{'s' if attempts > 1 else ''}"
    return DownloadError(f"{url}: {_reason(error, timeout)} (gave up after {tries})")
