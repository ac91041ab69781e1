"""Generate a benchmark corpus with the shape of a full NCBI Gene release.

The corpus is built, deterministically from a seed, by scaling up the real rows in
``tests/data/ncbi`` (see its README.md): same file names, header lines, column counts and
``-`` for nulls as the NCBI FTP files, gzip-compressed like them.

Usage::

    python bench/make_corpus.py --profile small --seed 42 --out bench/corpus/small

Profiles (rows; ``mim2gene_medgen`` is always the whole real file, 28,601 rows):

========  ==========  ==========  ==============  ==========  ======
profile   gene_info   gene2go     gene_orthologs  gene_group  taxa
========  ==========  ==========  ==============  ==========  ======
tiny           8,000       8,000             400         200     201
small        450,000     450,000          80,000       5,000   2,026
full      20,000,000  20,000,000       5,000,000     200,000  21,156
========  ==========  ==========  ==============  ==========  ======

How the corpus is built (the design decisions, so the next person can change them):

* **Model organisms** (the 16 tax_ids of the ``default`` scope in ``config/taxa.yaml``) keep their
  real tax_ids and realistic full-release sizes (``MODEL_TAXA``), about 5 % of gene_info rows.
  Human, mouse, fly and zebrafish are *real rows* (a random subset when the profile is smaller
  than the real file, all of them plus cloned non-coding/region records with new GeneIDs when it
  is larger, e.g. human 108,694 real + clones = 193,000 in ``full``; the subspecies rows of the
  per-species files, e.g. tax 63221 in the human one, are left out). The other 12 are resampled
  from real rows of a related species with new GeneIDs and ``dbXrefs`` set to ``-``.
* **Long tail** of non-model taxa, sizes heavy-tailed (log-normal per class, rescaled so that
  gene_info hits the profile's row count exactly):

  - ``vert``: vertebrate genomes (log-normal around 18k genes) under the real tax_ids of the
    ortholog partners in the real gene_orthologs excerpt; rows are real human/mouse/zebrafish
    rows with the curated columns blanked (``-``), weighted to ~57 % protein-coding.
  - ``euk``: other eukaryotes (around 10k genes, fly/zebrafish templates), synthetic tax_ids.
  - ``prok``: prokaryote-like taxa (around 3k genes) from small-taxon rows with per-taxon locus
    tags (``ABCD_RS00005``), synthetic tax_ids.
  - ``small``: viruses/organelles (1-500 genes): first the real small taxa of the sample
    (real rows, real tax_ids and GeneIDs), then synthetic taxa copying a real small taxon.

  About 8 % of non-model taxa also get a real-looking ``NEWENTRY`` record.
* **GeneIDs** are unique across the corpus: real rows keep theirs, every synthetic row gets one
  from contiguous per-taxon blocks from ``SYNTH_GENEID_BASE`` (2e8, above any real GeneID).
* **gene2go**: 55 % of rows on model-organism genes (all evidence codes, ``NOT`` qualifiers,
  PubMed lists), 45 % IEA annotations spread over most tail taxa. Evidence, qualifier-by-category
  and PubMed-count distributions come from the real excerpts; GO terms follow a Zipf law over the
  ~264 real terms plus synthetic GO ids (labels borrowed from real terms of the same category).
  The four human genes of the real excerpt keep their real gene2go rows verbatim. About 0.1 % of
  rows refer to GeneIDs absent from gene_info (as in real releases, through discontinued genes).
* **gene_orthologs**: pairs listed once from a primary gene: 95 % human protein-coding genes
  against the vertebrate taxa (hundreds of Other_tax_ids, 1:1 per taxon), 5 % fly genes against
  invertebrates. Every Other_GeneID exists in gene_info under Other_tax_id.
* **gene_group**: constructed (no real sample) from corpus genes with the relationship values of
  the NCBI Gene README; symmetric relations in both directions, inverse pairs listed from both
  ends (row ``A rel B`` reads "B is A's rel").
* Files are sorted like the real ones (tax_id, GeneID, ...). Every file is generated from its own
  RNG streams seeded by (seed, file, tax_id), so files are independent and can be written in
  parallel (``--jobs``); gzip has mtime 0 and no file name, so output is byte-identical for the
  same seed, profile and zlib/numpy versions. Compression runs in a writer thread (zlib releases
  the GIL) while the main thread formats rows.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import json
import os
import queue
import shutil
import sys
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from isal import isal_zlib

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SAMPLES = REPO / "tests" / "data" / "ncbi"

HEADERS = {
    "gene_info": (
        "#tax_id\tGeneID\tSymbol\tLocusTag\tSynonyms\tdbXrefs\tchromosome\tmap_location\tdescription\t"
        "type_of_gene\tSymbol_from_nomenclature_authority\tFull_name_from_nomenclature_authority\t"
        "Nomenclature_status\tOther_designations\tModification_date\tFeature_type\n"
    ),
    "gene2go": "#tax_id\tGeneID\tGO_ID\tEvidence\tQualifier\tGO_term\tPubMed\tCategory\n",
    "gene_orthologs": "#tax_id\tGeneID\trelationship\tOther_tax_id\tOther_GeneID\n",
    "gene_group": "#tax_id\tGeneID\trelationship\tOther_tax_id\tOther_GeneID\n",
}
FILE_NAMES = {
    "gene_info": "gene_info.gz",
    "gene2go": "gene2go.gz",
    "gene_orthologs": "gene_orthologs.gz",
    "gene_group": "gene_group.gz",
    "mim2gene_medgen": "mim2gene_medgen",
}
SAMPLE_FILES = {
    "human": "gene_info/Homo_sapiens.2022-11.gene_info.gz",
    "mouse": "gene_info/Mus_musculus.2023-03.gene_info.gz",
    "fly": "gene_info/Drosophila_melanogaster.2021-07.gene_info.gz",
    "zebrafish": "gene_info/Danio_rerio.2021-07.gene_info.gz",
    "small_taxa": "gene_info/small_taxa.2019-08.gene_info.gz",
    "head": "gene_info/all_species_head.2026-08.gene_info",
    "gene2go": ["gene2go/four_human_genes.2025-02.gene2go", "gene2go/all_species_head.2026-08.gene2go"],
    "orthologs": "gene_orthologs/four_human_genes.2025-02.gene_orthologs",
    "mim2gene_medgen": "mim2gene_medgen/mim2gene_medgen.2026-04",
}

FULL_GENE_INFO_ROWS = 20_000_000
SYNTH_GENEID_BASE = 200_000_000  # above every real GeneID in the samples (max ~137M)
SYNTH_TAX_RANGE = (1_000_000, 3_000_000)
CHUNK_CHARS = 4 << 20

# tax_id -> (label, rows in a full release incl. biological-region records, row source).
# Sources: a real species sample, or a template pool for resampled rows.
MODEL_TAXA: dict[int, tuple[str, int, str]] = {
    9606: ("Homo sapiens", 193_000, "human"),
    10090: ("Mus musculus", 150_000, "mouse"),
    10116: ("Rattus norvegicus", 100_000, "mammal"),
    9615: ("Canis lupus familiaris", 62_000, "mammal"),
    9913: ("Bos taurus", 65_000, "mammal"),
    9823: ("Sus scrofa", 62_000, "mammal"),
    9031: ("Gallus gallus", 55_000, "vertebrate"),
    7955: ("Danio rerio", 47_000, "zebrafish"),
    8364: ("Xenopus tropicalis", 48_000, "vertebrate"),
    8355: ("Xenopus laevis", 85_000, "vertebrate"),
    7227: ("Drosophila melanogaster", 28_000, "fly"),
    6239: ("Caenorhabditis elegans", 48_000, "invertebrate"),
    559292: ("Saccharomyces cerevisiae S288C", 6_500, "invertebrate"),
    284812: ("Schizosaccharomyces pombe 972h-", 7_100, "invertebrate"),
    3702: ("Arabidopsis thaliana", 39_000, "invertebrate"),
    511145: ("Escherichia coli str. K-12 substr. MG1655", 4_700, "prok"),
}
REAL_SPECIES = {"human": 9606, "mouse": 10090, "fly": 7227, "zebrafish": 7955}
MODEL_VERTEBRATES = (10090, 10116, 9615, 9913, 9823, 9031, 7955, 8364, 8355)
# Relative GO annotation density per protein-coding gene of a model organism (others 0.8).
GO_DENSITY = {9606: 1.6, 10090: 1.4, 10116: 1.2, 559292: 1.5, 284812: 1.2, 7955: 1.0, 7227: 1.1, 6239: 1.0, 3702: 1.0}
REAL_GO_GENES = (672, 7157, 55876, 94103)  # human genes whose real gene2go rows we have

TYPES = (
    "protein-coding",
    "ncRNA",
    "pseudo",
    "biological-region",
    "tRNA",
    "rRNA",
    "snoRNA",
    "snRNA",
    "scRNA",
    "miscRNA",
    "other",
    "unknown",
)
TYPE_CODE = {t: i for i, t in enumerate(TYPES)}
PC, NCRNA, PSEUDO, BIOREG, OTHER = 0, 1, 2, 3, 10
# Sampling weight of each type in the tail template pools (a RefSeq eukaryotic annotation has
# ~57 % protein-coding, a third ncRNA, some pseudogenes); unlisted types get weight 0.01.
TAIL_TYPE_WEIGHTS = {
    PC: 0.57,
    NCRNA: 0.25,
    PSEUDO: 0.1,
    TYPE_CODE["tRNA"]: 0.03,
    TYPE_CODE["snoRNA"]: 0.01,
    TYPE_CODE["snRNA"]: 0.01,
    OTHER: 0.01,
    TYPE_CODE["unknown"]: 0.02,
}

# gene2go vocabulary. Evidence weights: counts in the real four-gene excerpt, plus codes common
# in other model organisms (ISO for rodents, HDA/HMP, IC, ND, RCA, IKR, ISM) at low rates.
EVIDENCE_WEIGHTS = {
    "IDA": 108,
    "IEA": 82,
    "IMP": 67,
    "IPI": 26,
    "IBA": 20,
    "TAS": 16,
    "NAS": 15,
    "ISS": 15,
    "IGI": 6,
    "IEP": 4,
    "EXP": 3,
    "ISA": 2,
    "ISO": 40,
    "HDA": 3,
    "HMP": 1,
    "IC": 2,
    "ND": 2,
    "RCA": 1,
    "IKR": 1,
    "ISM": 2,
}
NO_PUBMED_EVIDENCE = {"IBA", "IEA", "ISA", "ISM", "IKR", "ND"}
SOMETIMES_PUBMED_EVIDENCE = {"TAS", "ISS", "IC", "RCA", "ISO"}
QUALIFIERS = {  # by category; weights from the real excerpt (rounded up for the rare ones)
    "Function": {"enables": 97, "contributes_to": 3},
    "Component": {"located_in": 58, "part_of": 30, "is_active_in": 8, "colocalizes_with": 4},
    "Process": {
        "involved_in": 210,
        "acts_upstream_of_or_within": 14,
        "acts_upstream_of": 3,
        "acts_upstream_of_positive_effect": 1,
        "acts_upstream_of_negative_effect": 1,
    },
}
IEA_QUALIFIERS = {
    "Function": {"enables": 1},
    "Component": {"located_in": 7, "part_of": 3},
    "Process": {"involved_in": 1},
}
NOT_RATE = 0.005  # share of non-IEA model annotations with a 'NOT ' qualifier
IEA_PUBMED = {"-": 50, "30032202": 20, "22301074": 15, "22301074|30032202": 15}
GO_VOCABULARY = 18_000
ORPHAN_GO_SHARE = 0.001
MODEL_GO_SHARE = 0.55

GROUP_RELATIONS = (  # (relation, inverse or None when symmetric, weight)
    ("Readthrough child", "Readthrough parent", 0.30),
    ("Readthrough sibling", None, 0.15),
    ("Potential readthrough sibling", None, 0.10),
    ("Region member", "Region parent", 0.20),
    ("Related pseudogene", "Related functional gene", 0.25),
)
NEWENTRY_RATE = 0.08


@dataclass(frozen=True)
class Profile:
    """Row targets and tail-taxon counts of one corpus size."""

    name: str
    gene_info: int
    gene2go: int
    orthologs: int
    gene_group: int
    n_vert: int
    n_euk: int
    n_prok: int
    n_small: int
    every_file: bool = False  # also the files only the release profile has (RELEASE_FILES)

    @property
    def n_taxa(self) -> int:
        return len(MODEL_TAXA) + self.n_vert + self.n_euk + self.n_prok + self.n_small


PROFILES = {
    "tiny": Profile("tiny", 8_000, 8_000, 400, 200, 20, 5, 10, 150),
    "small": Profile("small", 450_000, 450_000, 80_000, 5_000, 150, 40, 120, 1_700),
    "full": Profile("full", 20_000_000, 20_000_000, 5_000_000, 200_000, 640, 300, 1_200, 19_000),
    # The real release's compressed sizes (RELEASE_MB) in rows of this generator's shape at gzip -6, from
    # the bytes per row `full` measured: gene_info 29.6, gene2go 13.3, gene_orthologs 7.4, gene_group 8.
    "release": Profile("release", 45_700_000, 92_300_000, 14_800_000, 37_500, 640, 300, 1_200, 19_000, every_file=True),
    # The release's shape at 1/1000 of its size, every file: to try the generator and the pipeline quickly.
    "release-mini": Profile("release-mini", 45_700, 92_300, 14_800, 200, 20, 5, 10, 150, every_file=True),
}

# Compressed sizes (MB) of the real release, from NCBI's product list (issue 17). gene2accession is not
# in that list: its size here is an assumption (the same as gene2refseq's), not a measurement.
RELEASE_MB = {
    "gene_info": 1354,
    "gene2go": 1224,
    "gene2refseq": 2028,
    "gene_refseq_uniprotkb_collab": 1182,
    "gene_neighbors": 1764,
    "gene2ensembl": 283,
    "gene2pubmed": 230,
    "gene_history": 153,
    "gene_orthologs": 109,
    "gene_summary": 21,
    "gene_group": 0.3,
    "mim2gene_medgen": 1,
    "gene2accession": 2028,
}


def _rng(seed: int, salt: str, *keys: int) -> np.random.Generator:
    """Independent, reproducible RNG stream for (seed, salt, keys)."""
    salt_int = int.from_bytes(hashlib.sha256(salt.encode()).digest()[:4], "big")
    return np.random.default_rng([seed, salt_int, *keys])


# --------------------------------------------------------------------------------------------
# Real samples and template pools


class Pool:
    """Real rows used as templates, rewritten lazily into columns 3-16 for another tax_id/GeneID.

    Templates carry tokens: \\x00 for the new GeneID, \\x01 for the taxon's locus-tag prefix,
    \\x02 for the gene's ordinal in its taxon. ``type_weights`` reweights sampling by gene type.
    """

    def __init__(
        self, lines: list[str], types: np.ndarray, mode: str, type_weights: dict[int, float] | None = None
    ) -> None:
        self.lines = lines
        self.types = types
        self.mode = mode
        self.cache: list[tuple[str, int] | None] = [None] * len(lines)
        self.cum_weights = None
        if type_weights:
            counts = np.bincount(types, minlength=len(TYPES)).astype(float)
            per_type = np.array([type_weights.get(t, 0.01) for t in range(len(TYPES))])
            self.cum_weights = np.cumsum(per_type[types] / np.maximum(counts[types], 1))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.cum_weights is None:
            return rng.integers(0, len(self.lines), n)
        return np.searchsorted(self.cum_weights, rng.random(n) * self.cum_weights[-1], side="right")

    def template(self, j: int) -> tuple[str, int]:
        text = _template(self.lines[j].rstrip("\n").split("\t"), self.mode)
        flags = ("\x00" in text) | ("\x01" in text) << 1 | ("\x02" in text) << 2
        self.cache[j] = (text, flags)
        return text, flags


@dataclass
class Species:
    """All real rows of one species sample, in file order (sorted by GeneID)."""

    lines: list[str]
    gids: np.ndarray
    types: np.ndarray
    clones: Pool  # non-coding rows as templates for records beyond the real sample size


def _type_code(t: str) -> int:
    return TYPE_CODE.get(t, TYPE_CODE["other"])


def _template(cols: list[str], mode: str) -> str:
    """Columns 3-16 of a real row rewritten for reuse under another tax_id/GeneID."""
    old = cols[1]
    if mode == "model":
        cols[5] = "-"
        if cols[3].startswith("Dmel_"):
            cols[3] = "-"
    elif mode == "tail":
        for i in (3, 4, 5, 7, 10, 11, 12):
            cols[i] = "-"
    elif mode == "prok":
        if cols[2] == cols[3] or cols[2] == "-":
            cols[2] = "\x01_RS\x02"
        cols[3] = "\x01_RS\x02"
        cols[6] = "-"
    elif mode == "small" and "_" in cols[3]:
        prefix = cols[3].split("_", 1)[0] + "_"
        cols = [c.replace(prefix, "\x01_") for c in cols]
    text = "\t".join(cols[2:]) + "\n"
    return text.replace(f"LOC{old}", "LOC\x00")


def _read_rows(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        return [line for line in fh if not line.startswith("#")]


def _gids_types(lines: list[str]) -> tuple[np.ndarray, np.ndarray]:
    parts = [ln.split("\t", 10) for ln in lines]
    return (np.array([int(p[1]) for p in parts], np.int64), np.array([_type_code(p[9]) for p in parts], np.int8))


@dataclass(eq=False)
class Samples:
    species: dict[str, Species]
    pools: dict[str, Pool]
    small_taxa: dict[int, list[str]]  # tax_id -> real lines
    small_templates: list[tuple[int, int]]  # (start, rows) of each real small taxon in pools["small"]
    newentry: str
    vert_tax_ids: list[int]
    go_vocab: list[tuple[str, str, str]]  # (GO_ID, term, category), Zipf rank order
    real_go: dict[int, list[str]]  # GeneID -> real gene2go lines
    pmid_counts: list[tuple[int, float]]
    pmids: list[int]
    mim2gene: Path
    root: Path = DEFAULT_SAMPLES


def load_samples(root: Path = DEFAULT_SAMPLES) -> Samples:
    """Read the real samples once (cached per folder) and set up the template pools."""
    return _load_samples(Path(root).resolve())


@functools.lru_cache(maxsize=2)
def _load_samples(root: Path) -> Samples:
    species: dict[str, Species] = {}
    non_region: dict[str, tuple[list[str], np.ndarray]] = {}
    for name in REAL_SPECIES:
        # the per-species files also hold subspecies rows (e.g. 63221 in the human one): drop them
        prefix = f"{REAL_SPECIES[name]}\t"
        lines = [ln for ln in _read_rows(root / SAMPLE_FILES[name]) if ln.startswith(prefix)]
        gids, types = _gids_types(lines)
        clone = types != PC if name != "human" else types == BIOREG
        species[name] = Species(lines, gids, types, Pool(_pick(lines, clone), types[clone], "model"))
        keep = types != BIOREG
        non_region[name] = (_pick(lines, keep), types[keep])

    small_lines: dict[int, list[str]] = {}
    seen: set[str] = set()
    for ln in _read_rows(root / SAMPLE_FILES["small_taxa"]):
        tax, gid = ln.split("\t", 2)[:2]
        if gid not in seen:  # the assembled sample repeats a few taxa
            seen.add(gid)
            small_lines.setdefault(int(tax), []).append(ln)
    all_small = [ln for t in sorted(small_lines) for ln in small_lines[t]]
    starts = np.cumsum([0] + [len(small_lines[t]) for t in sorted(small_lines)])
    small_templates = [(int(starts[i]), len(small_lines[t])) for i, t in enumerate(sorted(small_lines))]
    small_types = _gids_types(all_small)[1]

    head = _read_rows(root / SAMPLE_FILES["head"])
    newentry = next(ln for ln in head if "\tNEWENTRY\t" in ln and ln.startswith("9\t"))
    newentry = newentry.split("\t", 2)[2]

    def pool(names: tuple[str, ...], mode: str, weights: dict[int, float] | None = None) -> Pool:
        lines = [ln for n in names for ln in non_region[n][0]]
        return Pool(lines, np.concatenate([non_region[n][1] for n in names]), mode, weights)

    pools = {
        "mammal": pool(("human", "mouse"), "model"),
        "vertebrate": pool(("zebrafish", "mouse"), "model"),
        "invertebrate": pool(("fly",), "model"),
        "vert": pool(("human", "mouse", "zebrafish"), "tail", TAIL_TYPE_WEIGHTS),
        "euk": pool(("fly", "zebrafish"), "tail", TAIL_TYPE_WEIGHTS),
        "prok": Pool(all_small, small_types, "prok"),
        "small": Pool(all_small, small_types, "small"),
    }

    ortho_lines = _read_rows(root / SAMPLE_FILES["orthologs"])
    vert_tax = sorted({int(ln.split("\t")[3]) for ln in ortho_lines} - set(MODEL_TAXA))

    go_vocab, real_go, pmid_counts, pmids = _go_vocabulary(root)
    return Samples(
        species,
        pools,
        small_lines,
        small_templates,
        newentry,
        vert_tax,
        go_vocab,
        real_go,
        pmid_counts,
        pmids,
        root / SAMPLE_FILES["mim2gene_medgen"],
        root,
    )


def _pick(lines: list[str], mask: np.ndarray) -> list[str]:
    return [lines[i] for i in np.flatnonzero(mask).tolist()]


def _go_vocabulary(
    root: Path,
) -> tuple[list[tuple[str, str, str]], dict[int, list[str]], list[tuple[int, float]], list[int]]:
    """GO terms (real ones by frequency, then synthetic ids), real rows, PubMed count distribution."""
    rows = []
    for rel in SAMPLE_FILES["gene2go"]:
        rows += [ln.rstrip("\n").split("\t") for ln in _read_rows(root / rel)]
    real_go: dict[int, list[str]] = {}
    for r in rows:
        if r[0] == "9606" and int(r[1]) in REAL_GO_GENES:
            real_go.setdefault(int(r[1]), []).append("\t".join(r) + "\n")
    freq = Counter(r[2] for r in rows)
    terms = {r[2]: (r[5], r[7]) for r in rows}
    real = sorted(terms, key=lambda g: (-freq[g], g))
    vocab = [(g, *terms[g]) for g in real]
    by_cat: dict[str, list[str]] = {}
    for g in real:
        by_cat.setdefault(terms[g][1], []).append(g)
    rng = _rng(0, "go-vocabulary")
    used = {int(g[3:]) for g in real}
    n_new = GO_VOCABULARY - len(vocab)
    nums = [x for x in dict.fromkeys(rng.integers(1, 2_000_000, 2 * n_new).tolist()) if x not in used][:n_new]
    cats = _choose(rng, {"Process": 0.6, "Function": 0.25, "Component": 0.15}, n_new)
    donors = rng.random(n_new).tolist()
    for num, cat, u in zip(nums, cats, donors, strict=True):
        donor = by_cat[cat][int(u * len(by_cat[cat]))]
        vocab.append((f"GO:{num:07d}", terms[donor][0], cat))
    counts = Counter(len(r[6].split("|")) for r in rows if r[6] != "-" and r[3] != "IEA")
    pmid_counts = [(k, v * (0.1 if k > 20 else 1.0)) for k, v in sorted(counts.items())]
    real_pmids = sorted({int(p) for r in rows if r[6] != "-" for p in r[6].split("|")})
    pmids = real_pmids + sorted(set(rng.integers(10_000_000, 40_000_000, 30_000).tolist()) - set(real_pmids))
    return vocab, real_go, pmid_counts, pmids


# --------------------------------------------------------------------------------------------
# The plan: every taxon, its size and GeneID block


@dataclass(frozen=True)
class Taxon:
    tax_id: int
    kind: str  # model | vert | euk | prok | small | small-real
    size: int  # gene_info rows
    source: str  # real species name or pool name
    base: int  # first synthetic GeneID (0 when all rows are real)
    template: int = -1  # index of a real small taxon copied by a synthetic small taxon
    newentry: bool = False


@dataclass
class Plan:
    profile: Profile
    seed: int
    taxa: list[Taxon]  # sorted by tax_id
    orphan_base: int

    def by_kind(self, *kinds: str) -> list[Taxon]:
        return [t for t in self.taxa if t.kind in kinds]


def _tax_prefix(tax_id: int) -> str:
    """Per-taxon locus-tag prefix: tax_id in base 26 letters (unique, like 'ABCD')."""
    out = ""
    n = tax_id
    while n:
        n, r = divmod(n, 26)
        out = chr(65 + r) + out
    return out


def make_plan(profile: Profile, seed: int, samples: Samples) -> Plan:
    rng = _rng(seed, "plan")
    scale = profile.gene_info / FULL_GENE_INFO_ROWS
    specs: list[dict] = []
    for tax, (_label, full_size, source) in MODEL_TAXA.items():
        size = max(3, round(full_size * min(scale, 1.0)))  # a model organism never outgrows its real size
        specs.append({"tax_id": tax, "kind": "model", "size": size, "source": source})
    model_rows = sum(s["size"] for s in specs)

    vert_ids = [int(t) for t in rng.permutation(samples.vert_tax_ids)[: profile.n_vert]]
    if len(vert_ids) < profile.n_vert:
        raise ValueError(f"only {len(samples.vert_tax_ids)} vertebrate tax_ids in the samples")
    real_small = [t for t in sorted(samples.small_taxa) if t not in set(vert_ids) | set(MODEL_TAXA)]
    real_small = sorted(int(t) for t in rng.permutation(real_small)[: profile.n_small])
    used = set(MODEL_TAXA) | set(samples.vert_tax_ids) | set(samples.small_taxa)
    n_synth_tax = profile.n_euk + profile.n_prok + profile.n_small - len(real_small)
    synth_tax: list[int] = []
    while len(synth_tax) < n_synth_tax:
        for t in rng.integers(*SYNTH_TAX_RANGE, n_synth_tax).tolist():
            if t not in used and len(synth_tax) < n_synth_tax:
                used.add(t)
                synth_tax.append(t)
    synth_iter = iter(synth_tax)

    small_rows = 0
    for t in real_small:
        specs.append({"tax_id": t, "kind": "small-real", "size": len(samples.small_taxa[t]), "source": "real"})
        small_rows += len(samples.small_taxa[t])
    n_templates = len(samples.small_templates)
    for _ in range(profile.n_small - len(real_small)):
        spec = {"tax_id": next(synth_iter), "kind": "small", "source": "small"}
        if rng.random() < 0.5:
            spec["template"] = int(rng.integers(n_templates))
            spec["size"] = samples.small_templates[spec["template"]][1]
        else:
            spec["size"] = int(np.clip(round(rng.lognormal(np.log(8), 1.1)), 1, 500))
        small_rows += spec["size"]
        specs.append(spec)

    # raw sizes: log-normal per class (median genes, sigma), rescaled below to the row target
    big = [{"tax_id": t, "kind": "vert", "raw": rng.lognormal(np.log(18_000), 0.35)} for t in vert_ids]
    big += [
        {"tax_id": next(synth_iter), "kind": "euk", "raw": rng.lognormal(np.log(10_000), 0.6)}
        for _ in range(profile.n_euk)
    ]
    big += [
        {"tax_id": next(synth_iter), "kind": "prok", "raw": rng.lognormal(np.log(3_000), 0.5)}
        for _ in range(profile.n_prok)
    ]
    for spec in big:
        spec["source"] = spec["kind"]
    for spec in specs + big:  # NEWENTRY records on some non-model taxa (decided before sizing)
        spec["newentry"] = spec["kind"] not in ("model", "small-real") and bool(rng.random() < NEWENTRY_RATE)
    newentries = sum(s["newentry"] for s in specs + big)
    remaining = profile.gene_info - model_rows - small_rows - newentries
    factor = remaining / sum(s["raw"] for s in big)
    for spec in big:
        spec["size"] = max(5, round(spec.pop("raw") * factor))
    big[int(np.argmax([s["size"] for s in big]))]["size"] += remaining - sum(s["size"] for s in big)
    for spec in big:
        spec["size"] += spec["newentry"]
    for spec in specs:
        if spec["newentry"]:
            spec["size"] += 1
    specs += big

    # GeneID blocks in shuffled taxon order, with small gaps, above every real GeneID.
    cursor = SYNTH_GENEID_BASE
    for i in rng.permutation(len(specs)).tolist():
        spec = specs[i]
        synthetic = spec["size"]
        if spec["kind"] == "small-real":
            continue
        if spec["kind"] == "model" and spec["source"] in REAL_SPECIES:
            synthetic = max(0, spec["size"] - len(samples.species[spec["source"]].lines))
            if not synthetic:
                continue
        spec["base"] = cursor
        cursor += synthetic + int(rng.integers(0, 50))
    taxa = sorted(
        (
            Taxon(
                base=s.get("base", 0),
                template=s.get("template", -1),
                tax_id=s["tax_id"],
                kind=s["kind"],
                size=s["size"],
                source=s["source"],
                newentry=s["newentry"],
            )
            for s in specs
        ),
        key=lambda t: t.tax_id,
    )
    assert sum(t.size for t in taxa) == profile.gene_info, "gene_info sizes do not add up"
    return Plan(profile, seed, taxa, orphan_base=cursor + 10_000_000)


# --------------------------------------------------------------------------------------------
# The rows of one taxon


@dataclass
class TaxonGenes:
    gids: np.ndarray
    types: np.ndarray
    render: Callable[[], list[str]]


def _render(tax: int, gids: np.ndarray, pool: Pool, idx: np.ndarray) -> list[str]:
    prefix = _tax_prefix(tax)
    head = f"{tax}\t"
    cache = pool.cache
    out = []
    for i, (g, j) in enumerate(zip(gids.tolist(), idx.tolist(), strict=True)):
        t, f = cache[j] or pool.template(j)
        if f:
            if f & 1:
                t = t.replace("\x00", str(g))
            if f & 2:
                t = t.replace("\x01", prefix)
            if f & 4:
                t = t.replace("\x02", f"{(i + 1) * 5:05d}")
        out.append(f"{head}{g}\t{t}")
    return out


def taxon_genes(taxon: Taxon, plan: Plan, samples: Samples) -> TaxonGenes:
    """The gene_info rows of a taxon: GeneIDs and types now, the text lines on demand."""
    rng = _rng(plan.seed, "gene_info", taxon.tax_id)
    tax = taxon.tax_id
    if taxon.kind == "small-real":
        lines = samples.small_taxa[tax]
        gids = np.array([int(ln.split("\t", 2)[1]) for ln in lines], np.int64)
        types = np.array([_type_code(ln.split("\t", 10)[9]) for ln in lines], np.int8)
        return TaxonGenes(gids, types, lambda: lines)
    if taxon.kind == "model" and taxon.source in REAL_SPECIES:
        sp = samples.species[taxon.source]
        n_real = len(sp.lines)
        if taxon.size >= n_real:
            keep = np.arange(n_real)
        else:
            forced = np.flatnonzero(np.isin(sp.gids, REAL_GO_GENES)) if tax == 9606 else np.array([], int)
            rest = np.setdiff1d(np.arange(n_real), forced)
            picked = rng.choice(rest, taxon.size - len(forced), replace=False)
            keep = np.sort(np.concatenate([forced, picked]))
        n_clone = taxon.size - len(keep)
        cidx = sp.clones.sample(rng, n_clone)
        cgids = taxon.base + np.arange(n_clone, dtype=np.int64)
        gids = np.concatenate([sp.gids[keep], cgids])
        types = np.concatenate([sp.types[keep], sp.clones.types[cidx]])

        def render_model() -> list[str]:
            return [sp.lines[i] for i in keep.tolist()] + _render(tax, cgids, sp.clones, cidx)

        return TaxonGenes(gids, types, render_model)

    n = taxon.size - taxon.newentry
    pool = samples.pools[taxon.source]
    if taxon.kind == "small" and taxon.template >= 0:
        first, _rows = samples.small_templates[taxon.template]
        idx = first + np.arange(n)
    else:
        idx = pool.sample(rng, n)
    start = taxon.base + taxon.newentry
    gids = start + np.arange(n, dtype=np.int64)
    types = pool.types[idx]
    if taxon.newentry:
        gids = np.concatenate([[taxon.base], gids])
        types = np.concatenate([[OTHER], types]).astype(np.int8)

    def render_tail() -> list[str]:
        lines = _render(tax, gids[taxon.newentry :], pool, idx)
        if taxon.newentry:
            lines.insert(0, f"{tax}\t{taxon.base}\t{samples.newentry}")
        return lines

    return TaxonGenes(gids, types, render_tail)


# --------------------------------------------------------------------------------------------
# Writers


class GzipWriter:
    """Gzip (mtime 0, no name) compressed in a background thread; write() takes text chunks."""

    def __init__(self, path: Path, level: int) -> None:
        self.path = path
        self.rows = 0
        self._fh = open(path, "wb")  # noqa: SIM115 - closed in close()
        # Levels 1-3 compress with ISA-L (python-isal): several times faster than zlib, files ~20 % larger.
        self._z = (isal_zlib if level <= 3 else zlib).compressobj(level, zlib.DEFLATED, 31)
        self._q: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        self._buf: list[str] = []
        self._size = 0
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while (data := self._q.get()) is not None:
                self._fh.write(self._z.compress(data))
            self._fh.write(self._z.flush())
        except BaseException as exc:  # surfaced in close()
            self._error = exc

    def write_lines(self, lines: list[str]) -> None:
        self.rows += len(lines)
        self._buf.extend(lines)
        self._size += len(lines) * 120
        if self._size >= CHUNK_CHARS:
            self._flush()

    def header(self, text: str) -> None:
        self._buf.append(text)

    def _flush(self) -> None:
        if self._buf:
            self._q.put("".join(self._buf).encode())
        self._buf, self._size = [], 0

    def close(self) -> None:
        self._flush()
        self._q.put(None)
        self._thread.join()
        self._fh.close()
        if self._error:
            raise self._error


def write_gene_info(plan: Plan, samples: Samples, out: GzipWriter) -> None:
    out.header(HEADERS["gene_info"])
    for taxon in plan.taxa:
        out.write_lines(taxon_genes(taxon, plan, samples).render())


def _choose(rng: np.random.Generator, weights: dict[str, float], n: int) -> list[str]:
    names = list(weights)
    p = np.array(list(weights.values()), float)
    return [names[i] for i in rng.choice(len(names), n, p=p / p.sum()).tolist()]


@functools.lru_cache(maxsize=2)
def _go_pools(samples: Samples, seed: int) -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """Row suffixes (GO_ID .. Category) for model and IEA annotations, sorted by GO_ID, with weights."""
    rng = _rng(seed, "go-pools")
    vocab = samples.go_vocab
    zipf = 1.0 / (np.arange(len(vocab)) + 5.0) ** 1.05
    zipf /= zipf.sum()
    n = 80_000
    terms = rng.choice(len(vocab), n, p=zipf).tolist()
    evs = _choose(rng, EVIDENCE_WEIGHTS, n)
    quals = {cat: iter(_choose(rng, QUALIFIERS[cat], n)) for cat in QUALIFIERS}
    iea_quals = {cat: iter(_choose(rng, IEA_QUALIFIERS[cat], n)) for cat in IEA_QUALIFIERS}
    negated = (rng.random(n) < NOT_RATE).tolist()
    model: Counter[tuple[str, str, str]] = Counter()
    for t, ev, neg in zip(terms, evs, negated, strict=True):
        cat = vocab[t][2]
        qual = next(iea_quals[cat]) if ev == "IEA" else ("NOT " if neg else "") + next(quals[cat])
        model[(vocab[t][0], ev, qual)] += 1
    keys = sorted(model)

    # PubMed: '-' for evidence without references, else 1..n PMIDs (real count distribution).
    k_vals = np.array([k for k, _ in samples.pmid_counts])
    k_p = np.array([w for _, w in samples.pmid_counts])
    ks = rng.choice(k_vals, len(keys), p=k_p / k_p.sum())
    coin = rng.random(len(keys))
    for i, (_go, ev, _q) in enumerate(keys):
        if ev in NO_PUBMED_EVIDENCE or (ev in SOMETIMES_PUBMED_EVIDENCE and coin[i] < 0.5):
            ks[i] = 0
    pmid_cum = np.cumsum(1.0 / (np.arange(len(samples.pmids)) + 20.0))
    drawn = np.array(samples.pmids)[np.searchsorted(pmid_cum, rng.random(int(ks.sum())) * pmid_cum[-1])]
    ends = np.cumsum(ks).tolist()
    info = {go: (term, cat) for go, term, cat in vocab}
    model_text = []
    for (go, ev, q), end, k in zip(keys, ends, ks.tolist(), strict=True):
        pm = "|".join(map(str, np.unique(drawn[end - k : end]).tolist())) if k else "-"
        model_text.append(f"{go}\t{ev}\t{q}\t{info[go][0]}\t{pm}\t{info[go][1]}\n")
    model_w = np.cumsum([model[k] for k in keys], dtype=float)

    iea = []
    pubmeds = iter(_choose(rng, IEA_PUBMED, 2 * len(vocab)))
    for rank, (go, term, cat) in enumerate(vocab):
        for qual, w in IEA_QUALIFIERS[cat].items():
            iea.append((go, qual, term, next(pubmeds), cat, zipf[rank] * w))
    iea.sort()
    iea_text = [f"{go}\tIEA\t{q}\t{term}\t{pm}\t{cat}\n" for go, q, term, pm, cat, _w in iea]
    iea_w = np.cumsum([x[-1] for x in iea])
    return model_text, model_w, iea_text, iea_w


def _budgets(rng: np.random.Generator, total: int, weights: np.ndarray) -> np.ndarray:
    """Split `total` into integer parts proportional to `weights` (exact sum)."""
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), np.int64)
    return rng.multinomial(total, weights / weights.sum())


def write_gene2go(plan: Plan, samples: Samples, out: GzipWriter) -> None:
    out.header(HEADERS["gene2go"])
    seed = plan.seed
    rng = _rng(seed, "gene2go-budgets")
    model_text, model_w, iea_text, iea_w = _go_pools(samples, seed)
    target = plan.profile.gene2go
    models = plan.by_kind("model")
    n_pc = [int((taxon_genes(t, plan, samples).types == PC).sum()) for t in models]
    model_weights = np.array([n * GO_DENSITY.get(t.tax_id, 0.8) for t, n in zip(models, n_pc, strict=True)])
    budgets = dict(
        zip(
            (t.tax_id for t in models),
            _budgets(rng, round(target * MODEL_GO_SHARE), model_weights).tolist(),
            strict=True,
        )
    )
    tail = [t for t in plan.taxa if t.kind != "model"]
    share = {"vert": 0.95, "euk": 0.85, "prok": 0.6, "small": 0.25, "small-real": 0.25}
    tail_w = np.array([t.size * rng.lognormal(0, 0.5) * (rng.random() < share[t.kind]) for t in tail])
    tail_budgets = _budgets(rng, target - sum(budgets.values()), tail_w)
    budgets.update(zip((t.tax_id for t in tail), tail_budgets.tolist(), strict=True))

    for ti, taxon in enumerate(plan.taxa):
        budget = budgets[taxon.tax_id]
        if not budget:
            continue
        trng = _rng(seed, "gene2go", taxon.tax_id)
        genes = taxon_genes(taxon, plan, samples)
        is_model = taxon.kind == "model"
        eligible = np.flatnonzero(genes.types == PC)
        ncrna = np.flatnonzero(genes.types == NCRNA)
        eligible = np.sort(np.concatenate([eligible, ncrna[trng.random(len(ncrna)) < 0.05]]))
        if not len(eligible):
            eligible = np.arange(len(genes.gids))
        real: list[str] = []
        if taxon.tax_id == 9606:  # the four genes with real gene2go rows keep them, verbatim
            has_real = np.isin(genes.gids, REAL_GO_GENES)
            real = [r for g in genes.gids[has_real].tolist() for r in samples.real_go[g]]
            eligible = eligible[~has_real[eligible]]
            budget = max(0, budget - len(real))
        n_orphan_rows = int(trng.binomial(budget, ORPHAN_GO_SHARE))
        budget -= n_orphan_rows
        text, cum = (model_text, model_w) if is_model else (iea_text, iea_w)
        sigma = 1.2 if is_model else 0.6
        counts = trng.multinomial(budget, _normalized(trng.lognormal(0, sigma, len(eligible))))
        gids = genes.gids[eligible]
        if n_orphan_rows:
            n_orph = min(n_orphan_rows, 1 + n_orphan_rows // 8, 999)
            gids = np.concatenate([gids, plan.orphan_base + ti * 1000 + np.arange(n_orph)])
            counts = np.concatenate([counts, trng.multinomial(n_orphan_rows, np.full(n_orph, 1 / n_orph))])
        # Draw ~10 % extra, drop repeated (gene, annotation) pairs, then trim to the budget.
        row_gene = np.repeat(gids, np.ceil(counts * 1.1).astype(np.int64))
        row_ann = np.searchsorted(cum, trng.random(len(row_gene)) * cum[-1], side="right")
        order = np.lexsort((row_ann, row_gene))
        row_gene, row_ann = row_gene[order], row_ann[order]
        keep = np.ones(len(row_gene), bool)
        keep[1:] = (row_gene[1:] != row_gene[:-1]) | (row_ann[1:] != row_ann[:-1])
        row_gene, row_ann = row_gene[keep], row_ann[keep]
        if len(row_gene) > budget + n_orphan_rows:
            sel = np.sort(trng.choice(len(row_gene), budget + n_orphan_rows, replace=False))
            row_gene, row_ann = row_gene[sel], row_ann[sel]
        head = f"{taxon.tax_id}\t"
        lines = [f"{head}{g}\t{text[a]}" for g, a in zip(row_gene.tolist(), row_ann.tolist(), strict=True)]
        if real:
            lines += real
            lines.sort(key=lambda ln: int(ln.split("\t", 2)[1]))  # stable: keeps GO_ID order per gene
        out.write_lines(lines)


def _normalized(w: np.ndarray) -> np.ndarray:
    return w / w.sum()


def _fit_counts(weights: np.ndarray, caps: np.ndarray, target: int) -> np.ndarray:
    """Integer counts ~ c * weights, capped, summing to about `target` (binary search on c)."""
    if caps.sum() <= target:
        return caps
    lo, hi = 0.0, float(caps.max() / max(weights.min(), 1e-9)) + 1
    for _ in range(60):
        mid = (lo + hi) / 2
        if np.minimum(caps, np.round(mid * weights)).sum() < target:
            lo = mid
        else:
            hi = mid
    return np.minimum(caps, np.round(hi * weights)).astype(np.int64)


def write_orthologs(plan: Plan, samples: Samples, out: GzipWriter) -> None:
    out.header(HEADERS["gene_orthologs"])
    rng = _rng(plan.seed, "orthologs")
    by_tax = {t.tax_id: t for t in plan.taxa}
    target = plan.profile.orthologs
    groups = [
        (9606, [by_tax[t] for t in MODEL_VERTEBRATES] + plan.by_kind("vert"), target - round(target * 0.05)),
        (7227, [by_tax[6239]] + plan.by_kind("euk"), round(target * 0.05)),
    ]
    parts: list[np.ndarray] = []
    for primary, partners, n_rows in groups:
        pg = taxon_genes(by_tax[primary], plan, samples)
        prim = pg.gids[pg.types == PC]
        pcs = []
        for t in partners:
            g = taxon_genes(t, plan, samples)
            pcs.append(g.gids[g.types == PC])
        caps = np.array([min(len(prim), int(0.95 * len(p))) for p in pcs])
        weights = rng.beta(4, 1.5, len(partners)) * len(prim)
        weights[[t.kind == "model" for t in partners]] = len(prim)
        counts = _fit_counts(weights, caps, n_rows)
        for t, pc, m in zip(partners, pcs, counts.tolist(), strict=True):
            trng = _rng(plan.seed, "orthologs", primary, t.tax_id)
            a = trng.choice(prim, m, replace=False)
            b = trng.choice(pc, m, replace=False)
            parts.append(np.stack([np.full(m, primary), a, np.full(m, t.tax_id), b]))
    rows = np.concatenate(parts, axis=1)
    rows = rows[:, np.lexsort((rows[3], rows[2], rows[1], rows[0]))]
    for s in range(0, rows.shape[1], 200_000):
        block = rows[:, s : s + 200_000].tolist()
        out.write_lines([f"{a}\t{b}\tOrtholog\t{c}\t{d}\n" for a, b, c, d in zip(*block, strict=True)])


def write_gene_group(plan: Plan, samples: Samples, out: GzipWriter) -> None:
    out.header(HEADERS["gene_group"])
    rng = _rng(plan.seed, "gene_group")
    pairs_total = plan.profile.gene_group // 2
    models = plan.by_kind("model")
    tail = plan.by_kind("vert", "euk")
    w = np.array([t.size * (3.0 if t.tax_id == 9606 else 1.0) for t in models], float)
    budgets = list(zip(models, _budgets(rng, round(pairs_total * 0.45), w).tolist(), strict=True))
    w = np.array([t.size for t in tail], float)
    tail_pairs = _budgets(rng, pairs_total - sum(b for _, b in budgets), w)
    budgets += list(zip(tail, tail_pairs.tolist(), strict=True))
    rel_p = np.array([r[2] for r in GROUP_RELATIONS])
    for taxon, n_pairs in sorted(budgets, key=lambda x: x[0].tax_id):
        if not n_pairs:
            continue
        trng = _rng(plan.seed, "gene_group", taxon.tax_id)
        genes = taxon_genes(taxon, plan, samples)
        gids, types = genes.gids, genes.types
        if len(gids) < 2:
            continue
        pc = gids[types == PC] if (types == PC).sum() >= 2 else gids
        pseudo = gids[types == PSEUDO] if (types == PSEUDO).any() else gids
        region = gids[np.isin(types, [BIOREG, OTHER])] if np.isin(types, [BIOREG, OTHER]).any() else gids
        # ~10 % extra candidates cover repeated pairs; stop at the budget
        rels = trng.choice(len(GROUP_RELATIONS), n_pairs + n_pairs // 10 + 5, p=rel_p / rel_p.sum())
        seen: set[tuple[int, int]] = set()
        rows: list[tuple[int, str, int]] = []
        candidates: list[tuple[int, int, str, str]] = []
        for r, (name, inv, _w) in enumerate(GROUP_RELATIONS):
            n = int((rels == r).sum())
            if name.startswith("Region"):
                a, b = trng.choice(region, n), trng.choice(gids, n)
            elif name == "Related pseudogene":
                a, b = trng.choice(pc, n), trng.choice(pseudo, n)
            else:
                a, b = trng.choice(pc, n), trng.choice(pc, n)
            candidates += [(x, y, name, inv or name) for x, y in zip(a.tolist(), b.tolist(), strict=True)]
        order = trng.permutation(len(candidates)).tolist()  # relations interleaved, budget-neutral
        for k in order:
            x, y, name, inverse = candidates[k]
            if x == y or (x, y) in seen or (y, x) in seen:
                continue
            seen.add((x, y))
            rows += [(x, name, y), (y, inverse, x)]
            if len(seen) == n_pairs:
                break
        rows.sort(key=lambda x: (x[0], x[2], x[1]))
        tax = taxon.tax_id
        out.write_lines([f"{tax}\t{a}\t{rel}\t{tax}\t{b}\n" for a, rel, b in rows])


# --------------------------------------------------------------------------------------------
# The release profile's other files: real rows re-keyed onto corpus genes


@dataclass(frozen=True)
class Keyed:
    """A file whose rows start with (tax_id, GeneID), made from real rows re-keyed onto corpus genes."""

    samples: tuple[str, ...]  # real files, relative to the samples folder (or absolute)
    model_share: float  # share of rows on the 16 model organisms (the rest spread over the tail by size)
    per_gene: float  # mean rows per chosen gene: rows cluster on genes as in the real files


KEYED = {
    "gene2refseq": Keyed(("gene2refseq/four_human_genes.2025-02.gene2refseq",), 0.35, 8),
    "gene2accession": Keyed(
        (
            "gene2accession/four_human_genes.2025-02.gene2accession",
            "gene2accession/all_species_head.2026-08.gene2accession",
        ),
        0.3,
        8,
    ),
    "gene_neighbors": Keyed(("gene_neighbors/eleven_taxa.2024.gene_neighbors",), 0.1, 1.5),
    "gene2ensembl": Keyed(("gene2ensembl/all_species_head.2026-08.gene2ensembl",), 0.6, 3),
    "gene2pubmed": Keyed(
        ("gene2pubmed/four_human_genes.2025-02.gene2pubmed", "gene2pubmed/all_species_head.2026-08.gene2pubmed"),
        0.7,
        10,
    ),
    # No real gene_summary rows are carried: the bundled sample's constructed ones are the templates.
    "gene_summary": Keyed((str(REPO / "sample" / "gene_summary.gz"),), 0.9, 1),
}
COLLAB = "gene_refseq_uniprotkb_collab"
RELEASE_FILES = [*KEYED, COLLAB, "gene_history"]
PROTEIN_COLUMN = 5  # gene2refseq's protein_accession.version (0-based)


def _keyed_templates(samples: Samples, kind: str) -> list[str]:
    """Columns 3.. of the real rows, with gene2refseq's protein accession as token \x03."""
    out = []
    for rel in KEYED[kind].samples:
        for line in _read_rows(samples.root / rel):
            cols = line.rstrip("\n").split("\t")
            if kind == "gene2refseq" and cols[PROTEIN_COLUMN] != "-":
                cols[PROTEIN_COLUMN] = "\x03"
            out.append("\t".join(cols[2:]) + "\n")
    return out


def _protein(gid: int, j: int) -> str:
    """A RefSeq protein accession unique to (gene, j): the GeneID's digits then j's (0-9)."""
    return f"NP_{gid}{j}.1"


def _budgets_by_taxon(plan: Plan, rows: int, model_share: float, rng: np.random.Generator) -> list[int]:
    models = np.array([t.kind == "model" for t in plan.taxa])
    sizes = np.array([t.size for t in plan.taxa], float)
    out = np.zeros(len(plan.taxa), np.int64)
    n_model = round(rows * model_share)
    out[models] = _budgets(rng, n_model, sizes[models])
    out[~models] = _budgets(rng, rows - n_model, sizes[~models])
    return out.tolist()


def _keyed_rows(plan: Plan, samples: Samples, kind: str, rows: int):
    """(taxon, gene per row, template per row), taxon by taxon, deterministic from the seed."""
    spec = KEYED[kind]
    n_templates = len(_keyed_templates(samples, kind))
    budgets = _budgets_by_taxon(plan, rows, spec.model_share, _rng(plan.seed, kind))
    for taxon, n in zip(plan.taxa, budgets, strict=True):
        if not n:
            continue
        trng = _rng(plan.seed, kind, taxon.tax_id)
        gids = taxon_genes(taxon, plan, samples).gids
        chosen = np.sort(trng.choice(gids, min(len(gids), max(1, round(n / spec.per_gene))), replace=False))
        yield taxon, chosen[np.sort(trng.integers(0, len(chosen), n))], trng.integers(0, n_templates, n)


def _render_keyed(kind: str, tax: int, genes: np.ndarray, idx: np.ndarray, templates: list[str]) -> list[str]:
    out = []
    previous, j = -1, 0
    for g, t in zip(genes.tolist(), idx.tolist(), strict=True):
        text = templates[t]
        if "\x03" in text:
            j = j + 1 if g == previous else 0
            previous = g
            text = text.replace("\x03", _protein(g, j % 10))
        out.append(f"{tax}\t{g}\t{text}")
    return out


def _rows_for(kind: str, plan: Plan, bytes_per_row: float) -> int:
    """Rows that give the real release's compressed size at gzip -6 (scaled with the profile's gene_info)."""
    scale = plan.profile.gene_info / PROFILES["release"].gene_info
    return max(1, round(RELEASE_MB[kind] * 1e6 * scale / bytes_per_row))


def _bytes_per_row(lines: list[str]) -> float:
    """Compressed bytes per row of ``lines`` at gzip -6 (NCBI's level)."""
    data = "".join(lines).encode()
    return len(zlib.compress(data, 6)) / max(1, len(lines))


def _calibration(plan: Plan, samples: Samples, kind: str, render: Callable) -> float:
    """Bytes per row of this file's rows, measured on 20,000 rows of a tail taxon and of human."""
    lines: list[str] = []
    for taxon in (next(t for t in plan.taxa if t.kind == "vert"), next(t for t in plan.taxa if t.tax_id == 9606)):
        rng = _rng(plan.seed, "calibration", taxon.tax_id)
        gids = np.sort(rng.choice(taxon_genes(taxon, plan, samples).gids, 10_000))
        lines += render(taxon.tax_id, gids, rng)
    return _bytes_per_row(lines)


def write_keyed(kind: str) -> Callable[[Plan, Samples, GzipWriter], None]:
    def write(plan: Plan, samples: Samples, out: GzipWriter) -> None:
        templates = _keyed_templates(samples, kind)
        header = next(ln for ln in _read_header_lines(samples.root / KEYED[kind].samples[0]))
        out.header(header)
        per_row = _calibration(
            plan,
            samples,
            kind,
            lambda tax, gids, rng: _render_keyed(
                kind, tax, gids, rng.integers(0, len(templates), len(gids)), templates
            ),
        )
        for taxon, genes, idx in _keyed_rows(plan, samples, kind, _rows_for(kind, plan, per_row)):
            out.write_lines(_render_keyed(kind, taxon.tax_id, genes, idx, templates))

    return write


def _read_header_lines(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        first = fh.readline()
    return [first if first.startswith("#") else "#" + first]


def _uniprot(k: int) -> str:
    """A UniProtKB accession of the 10-character form (A0A + 7: letter, 2 alphanumerics, digit...) unique to k."""
    chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    k, d1 = divmod(k, 10)
    k, d2 = divmod(k, 10)
    k, letter = divmod(k, 26)
    a = []
    for _ in range(4):
        k, r = divmod(k, 36)
        a.append(chars[r])
    return f"A0A{a[0]}{a[1]}{d1}{chr(65 + letter)}{a[2]}{a[3]}{d2}"


def write_collab(plan: Plan, samples: Samples, out: GzipWriter) -> None:
    """UniProtKB partners of the proteins of this corpus's gene2refseq (so the join is as real)."""
    sample = samples.root / f"{COLLAB}/four_human_genes.2025-02.{COLLAB}"
    methods = [ln.rstrip("\n").split("\t")[4] for ln in _read_rows(sample)]
    out.header(_read_header_lines(sample)[0])
    templates = _keyed_templates(samples, "gene2refseq")
    refseq_rows = _rows_for(
        "gene2refseq",
        plan,
        _calibration(
            plan,
            samples,
            "gene2refseq",
            lambda tax, gids, rng: _render_keyed(
                "gene2refseq", tax, gids, rng.integers(0, len(templates), len(gids)), templates
            ),
        ),
    )
    proteins = []  # (tax, accession) of every distinct gene2refseq protein, in file order
    for taxon, genes, idx in _keyed_rows(plan, samples, "gene2refseq", refseq_rows):
        for line in _render_keyed("gene2refseq", taxon.tax_id, genes, idx, templates):
            protein = line.split("\t", PROTEIN_COLUMN + 2)[PROTEIN_COLUMN]
            if protein != "-":
                proteins.append((taxon.tax_id, protein))
    proteins = list(dict.fromkeys(proteins))
    sample_rows = [
        f"{p}\t{_uniprot(k)}\t{t}\t{t}\t{methods[k % len(methods)]}\n" for k, (t, p) in enumerate(proteins[:20_000])
    ]
    rows = _rows_for(COLLAB, plan, _bytes_per_row(sample_rows))
    per_protein = rows / max(1, len(proteins))
    rng = _rng(plan.seed, COLLAB)
    counts = rng.poisson(per_protein, len(proteins)) if per_protein > 0 else np.zeros(len(proteins), int)
    k = 0
    batch: list[str] = []
    for (tax, protein), n in zip(proteins, counts.tolist(), strict=True):
        for _ in range(n):
            batch.append(f"{protein}\t{_uniprot(k)}\t{tax}\t{tax}\t{methods[k % len(methods)]}\n")
            k += 1
        if len(batch) >= 100_000:
            out.write_lines(batch)
            batch = []
    out.write_lines(batch)


def write_gene_history(plan: Plan, samples: Samples, out: GzipWriter) -> None:
    """Discontinued GeneIDs (never current ones), 80 % without a replacement, like the real file."""
    history = samples.root / "gene_history/five_taxa.2019-03.gene_history"
    real = [ln.rstrip("\n").split("\t") for ln in _read_rows(history)]
    out.header("#tax_id\tGeneID\tDiscontinued_GeneID\tDiscontinued_Symbol\tDiscontinue_Date\n")

    def render(tax: int, gids: np.ndarray, rng: np.random.Generator, first: int = 0) -> list[str]:
        replaced = rng.random(len(gids)) < 0.2
        dates = rng.integers(0, len(real), len(gids)).tolist()
        return [
            f"{tax}\t{g if r else '-'}\t{first + i}\tLOC{first + i}\t{real[d][4]}\n"
            for i, (g, r, d) in enumerate(zip(gids.tolist(), replaced.tolist(), dates, strict=True))
        ]

    rows = _rows_for(
        "gene_history",
        plan,
        _calibration(plan, samples, "gene_history", lambda tax, gids, rng: render(tax, gids, rng, 300_000_000)),
    )
    budgets = _budgets_by_taxon(plan, rows, 0.3, _rng(plan.seed, "gene_history"))
    first = plan.orphan_base + 50_000_000  # above every GeneID and orphan of the corpus
    for taxon, n in zip(plan.taxa, budgets, strict=True):
        if n:
            trng = _rng(plan.seed, "gene_history", taxon.tax_id)
            gids = np.sort(trng.choice(taxon_genes(taxon, plan, samples).gids, n))
            out.write_lines(render(taxon.tax_id, gids, trng, first))
            first += n


WRITERS = {
    "gene_info": write_gene_info,
    "gene2go": write_gene2go,
    "gene_orthologs": write_orthologs,
    "gene_group": write_gene_group,
}
RELEASE_WRITERS = {
    **{kind: write_keyed(kind) for kind in KEYED},
    COLLAB: write_collab,
    "gene_history": write_gene_history,
}
RELEASE_FILE_NAMES = {kind: f"{kind}.gz" for kind in RELEASE_WRITERS}


# --------------------------------------------------------------------------------------------
# Driver


def _generate_one(kind: str, profile_name: str, seed: int, out_dir: str, level: int, samples_root: str) -> dict:
    t0 = time.perf_counter()
    samples = load_samples(Path(samples_root))
    plan = make_plan(PROFILES[profile_name], seed, samples)
    path = Path(out_dir) / (FILE_NAMES | RELEASE_FILE_NAMES)[kind]
    tmp = path.with_name(path.name + ".part")
    writer = GzipWriter(tmp, level)
    try:
        (WRITERS | RELEASE_WRITERS)[kind](plan, samples, writer)
    finally:
        writer.close()
    tmp.replace(path)
    return {
        "file": path.name,
        "rows": writer.rows,
        "bytes": path.stat().st_size,
        "seconds": round(time.perf_counter() - t0, 1),
    }


def generate(
    profile: str,
    seed: int,
    out: Path,
    *,
    jobs: int = 2,
    level: int = 6,
    samples_root: Path = DEFAULT_SAMPLES,
    log: Callable[[str], None] | None = None,
) -> list[dict]:
    """Write the corpus files of `profile` into `out`; return one summary dict per file.

    >>> generate("tiny", 42, Path("/tmp/corpus-tiny"), jobs=1)[0]["file"]  # doctest: +SKIP
    'gene_info.gz'
    """
    out.mkdir(parents=True, exist_ok=True)
    samples = load_samples(samples_root)  # before forking, so workers inherit it
    plan = make_plan(PROFILES[profile], seed, samples)
    kinds = [*WRITERS, *(RELEASE_WRITERS if plan.profile.every_file else [])]
    # the largest first, so that two workers finish together
    kinds.sort(key=lambda kind: -RELEASE_MB[kind] if plan.profile.every_file else 0)
    args = [(kind, profile, seed, str(out), level, str(samples_root)) for kind in kinds]
    results: list[dict] = []
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
            futures = [pool.submit(_generate_one, *a) for a in args]
            for f in futures:
                results.append(f.result())
                if log:
                    log(_fmt(results[-1]))
    else:
        for a in args:
            results.append(_generate_one(*a))
            if log:
                log(_fmt(results[-1]))
    t0 = time.perf_counter()
    mim = out / FILE_NAMES["mim2gene_medgen"]
    shutil.copyfile(samples.mim2gene, mim)
    with open(mim, encoding="utf-8") as fh:
        mim_rows = sum(1 for ln in fh if not ln.startswith("#"))
    results.append(
        {"file": mim.name, "rows": mim_rows, "bytes": mim.stat().st_size, "seconds": round(time.perf_counter() - t0, 1)}
    )
    if log:
        log(_fmt(results[-1]))
    manifest = {
        "profile": profile,
        "seed": seed,
        "gzip_level": level,
        "taxa": len(plan.taxa),
        "model_organism_rows": sum(t.size for t in plan.by_kind("model")),
        "files": {r["file"]: {"rows": r["rows"], "bytes": r["bytes"]} for r in results},
        "generator": "bench/make_corpus.py",
        "zlib": zlib.ZLIB_RUNTIME_VERSION,
        "numpy": np.__version__,
    }
    (out / "corpus.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return results


def _fmt(r: dict) -> str:
    return f"  {r['file']:<20} {r['rows']:>12,} rows {r['bytes'] / 1e6:>10.1f} MB {r['seconds']:>8.1f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="small")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, help="output folder (default bench/corpus/<profile>)")
    parser.add_argument(
        "--jobs", type=int, default=min(2, os.cpu_count() or 1), help="files written in parallel (default: up to 2)"
    )
    parser.add_argument(
        "--level", type=int, default=6, choices=range(1, 10), metavar="1-9", help="gzip level (NCBI uses 6)"
    )
    parser.add_argument("--samples", type=Path, default=DEFAULT_SAMPLES, help="real NCBI samples folder")
    args = parser.parse_args(argv)
    out = args.out or REPO / "bench" / "corpus" / args.profile
    p = PROFILES[args.profile]
    print(
        f"corpus {args.profile} (seed {args.seed}) -> {out}: {p.n_taxa:,} taxa, "
        f"gene_info {p.gene_info:,} / gene2go {p.gene2go:,} / gene_orthologs {p.orthologs:,} / "
        f"gene_group {p.gene_group:,} rows",
        flush=True,
    )
    t0 = time.perf_counter()
    results = generate(
        args.profile,
        args.seed,
        out,
        jobs=args.jobs,
        level=args.level,
        samples_root=args.samples,
        log=lambda s: print(s, flush=True),
    )
    total_rows = sum(r["rows"] for r in results)
    total_bytes = sum(r["bytes"] for r in results)
    print(
        f"  {'total':<20} {total_rows:>12,} rows {total_bytes / 1e6:>10.1f} MB {time.perf_counter() - t0:>8.1f} s wall"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
