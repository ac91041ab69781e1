"""The graph in every format, by taxon, its meta knowledge graph, RIG and file list (issue 20), on the
bundled sample built with `--format tsv,jsonl,parquet`."""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
from collections import Counter
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import quiet_build, read_kgx
from sample_graph import build_sample

from ncbi_gene_kg import outputs
from ncbi_gene_kg.biolink import is_multivalued, slot_range
from ncbi_gene_kg.errors import UserError
from ncbi_gene_kg.outputs import parse_formats, write_tsv
from ncbi_gene_kg.paths import SAMPLE_DIR
from ncbi_gene_kg.taxa import load_scope

FORMATS = ["tsv", "jsonl", "parquet"]


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample graph in every format."""
    return build_sample(tmp_path_factory.mktemp("all-formats"), formats=parse_formats(["jsonl,parquet"]))


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def parquet(path: Path) -> list[dict]:
    con = duckdb.connect()
    relation = con.sql(f"SELECT * FROM read_parquet('{path}')")
    return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


def test_formats_are_parsed_repeated_or_comma_separated() -> None:
    assert parse_formats(None) == ["tsv"]
    assert parse_formats(["parquet", "jsonl, tsv"]) == ["tsv", "jsonl", "parquet"]
    with pytest.raises(UserError, match="unknown output format csv"):
        parse_formats(["csv"])


@pytest.mark.parametrize("kind", ["nodes", "edges"])
def test_every_format_has_the_tsv_records_with_their_types(graph: Path, kind: str) -> None:
    tsv = read_kgx(graph / f"ncbi_gene_{kind}.tsv")
    as_jsonl = jsonl(graph / f"ncbi_gene_{kind}.jsonl")
    as_parquet = parquet(graph / f"ncbi_gene_{kind}.parquet")
    assert len(tsv) == len(as_jsonl) == len(as_parquet) > 0
    assert [r["id"] for r in tsv] == [r["id"] for r in as_jsonl] == [r["id"] for r in as_parquet]
    for row, line, record in zip(tsv, as_jsonl, as_parquet, strict=True):
        # The same values: lists split on '|', booleans from 'true', nothing lost or added.
        assert isinstance(line["category"], list) and isinstance(record["category"], list)
        for column, cell in row.items():
            if not cell:
                assert column not in line and record[column] is None
                continue
            # gene_info's chromosome and map_location: lists outside the model (its config declares them)
            if is_multivalued(column) or column in ("chromosome", "map_location"):
                assert line[column] == record[column] == cell.split("|"), column
            elif slot_range(column) == "boolean":
                assert line[column] is record[column] is (cell == "true")
            elif slot_range(column) == "integer":  # gene_neighbors' interbase coordinates
                assert line[column] == record[column] == int(cell), column
            else:
                assert line[column] == record[column] == cell, column


def test_kgx_reads_the_tsv_and_the_jsonl(graph: Path) -> None:
    from ncbi_gene_kg.biolink import use_offline_model

    use_offline_model()
    from kgx.transformer import Transformer
    from kgx.utils.kgx_utils import GraphEntityType

    counts = {}
    for fmt in ("tsv", "jsonl"):
        seen: Counter = Counter()
        negated = []

        def inspect(kind: GraphEntityType, record: list, seen: Counter = seen, negated: list = negated) -> None:
            seen[kind.name] += 1
            if kind == GraphEntityType.EDGE and record[-1].get("negated") in (True, "true", "True"):
                negated.append(record[-1]["id"])

        Transformer(stream=True).transform(
            input_args={
                "filename": [str(graph / f"ncbi_gene_nodes.{fmt}"), str(graph / f"ncbi_gene_edges.{fmt}")],
                "format": fmt,
            },
            inspector=inspect,
        )
        counts[fmt] = (seen["NODE"], seen["EDGE"], negated)
    nodes, edges = len(read_kgx(graph / "ncbi_gene_nodes.tsv")), len(read_kgx(graph / "ncbi_gene_edges.tsv"))
    assert counts["tsv"][:2] == counts["jsonl"][:2] == (nodes, edges)
    assert counts["tsv"][2] == counts["jsonl"][2] != []


@pytest.mark.parametrize("fmt", FORMATS)
def test_koza_join_loads_each_format_to_the_same_counts(graph: Path, fmt: str, tmp_path: Path) -> None:
    from koza.graph_operations import join_graphs, prepare_file_specs_from_paths
    from koza.model.graph_operations import JoinConfig

    nodes, edges = prepare_file_specs_from_paths(
        [str(graph / f"ncbi_gene_nodes.{fmt}")], [str(graph / f"ncbi_gene_edges.{fmt}")]
    )
    database = tmp_path / "joined.duckdb"
    join_graphs(JoinConfig(node_files=nodes, edge_files=edges, database_path=database, quiet=True, show_progress=False))
    stats = json.loads((graph / "graph_metadata.json").read_text())["statistics"]
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM nodes").fetchone()[0] == stats["nodes"]
        assert con.execute("SELECT count(*) FROM edges").fetchone()[0] == stats["edges"]
        assert con.execute("SELECT count(DISTINCT id) FROM edges").fetchone()[0] == stats["edges"]


def test_the_bundle_carries_every_format_built(graph: Path) -> None:
    with tarfile.open(graph / "ncbi_gene.tar.gz") as tar:
        names = tar.getnames()
        assert names[:6] == [f"ncbi_gene_{kind}.{fmt}" for fmt in FORMATS for kind in ("nodes", "edges")]
        assert tar.extractfile("ncbi_gene_edges.parquet").read() == (graph / "ncbi_gene_edges.parquet").read_bytes()


def test_by_taxon_partitions_the_graph(graph: Path) -> None:
    nodes, edges = read_kgx(graph / "ncbi_gene_nodes.tsv"), read_kgx(graph / "ncbi_gene_edges.tsv")
    taxon = {n["id"]: n["in_taxon"].split("|")[0].replace(":", "_") if n["in_taxon"] else "no_taxon" for n in nodes}
    expected_nodes = Counter(taxon.values())
    expected_edges = Counter(
        next((taxon[e[end]] for end in ("subject", "object") if taxon[e[end]] != "no_taxon"), "no_taxon") for e in edges
    )
    folder = graph / "by_taxon"
    assert {p.suffix for p in folder.iterdir()} == {".tsv"}  # TSV whatever FORMATS says (docs/outputs.md)
    found: dict[str, Counter] = {"nodes": Counter(), "edges": Counter()}
    for path in folder.iterdir():
        part, kind = path.stem.removeprefix("ncbi_gene_").rsplit("_", 1)
        rows = read_kgx(path)
        found[kind][part] = len(rows)
        assert list(rows[0]) == list(read_kgx(graph / f"ncbi_gene_{kind}.tsv")[0])  # the graph's columns
        if kind == "nodes" and part != "no_taxon":
            assert {taxon[r["id"]] for r in rows} == {part}
    assert found["nodes"] == expected_nodes and found["edges"] == expected_edges
    assert expected_nodes["NCBITaxon_9606"] and expected_edges["NCBITaxon_9606"] and expected_nodes["no_taxon"]
    assert sum(expected_edges.values()) == len(edges)


def test_meta_knowledge_graph_counts_are_the_graphs(graph: Path) -> None:
    meta = json.loads((graph / "meta_knowledge_graph.json").read_text())
    stats = json.loads((graph / "graph_metadata.json").read_text())["statistics"]
    assert {c: n["count"] for c, n in meta["nodes"].items()} == stats["nodes_by_category"]
    assert sum(e["count"] for e in meta["edges"]) == stats["edges"]
    by_predicate: Counter = Counter()
    for edge in meta["edges"]:
        by_predicate[edge["predicate"]] += edge["count"]
        assert set(edge) <= {
            "subject",
            "predicate",
            "object",
            "knowledge_types",
            "association",
            "qualifiers",
            "attributes",
            "count",
            "count_by_source",
        }
        assert sum(edge["count_by_source"].values()) == edge["count"]
    assert dict(by_predicate) == stats["edges_by_predicate"]
    nodes = read_kgx(graph / "ncbi_gene_nodes.tsv")
    assert meta["nodes"]["biolink:Gene"]["id_prefixes"] == ["NCBIGene"]
    assert sum(1 for n in nodes if n["category"] == "biolink:Gene") == meta["nodes"]["biolink:Gene"]["count"]
    disease = [e for e in meta["edges"] if e["object"] == "biolink:Disease"]
    assert disease and all(
        q["qualifier_type_id"] == "biolink:association_basis_qualifier" and q["applicable_values"]
        for e in disease
        for q in e["qualifiers"]
    )


def test_example_edges_are_real_edges_one_per_edge_type(graph: Path) -> None:
    meta = json.loads((graph / "meta_knowledge_graph.json").read_text())
    examples = jsonl(graph / "example_edges.jsonl")
    edges = {e["id"]: e for e in jsonl(graph / "ncbi_gene_edges.jsonl")}
    assert [(e["subject_category"], e["predicate"], e["object_category"]) for e in examples] == [
        (m["subject"], m["predicate"], m["object"]) for m in meta["edges"]
    ]
    for example in examples:
        assert {k: v for k, v in example.items() if not k.endswith("_category")} == edges[example["id"]]


def test_the_reference_ingest_guide_follows_the_configs(graph: Path) -> None:
    from ncbi_gene_kg.paths import CONFIG_DIR

    rig = yaml.safe_load((graph / "ncbi_gene_rig.yaml").read_text())
    assert list(rig) == ["name", "source_info", "ingest_info", "target_info", "provenance_info"]
    assert rig["source_info"]["infores_id"] == "infores:ncbi-gene"
    files = {f["file_name"] for f in rig["ingest_info"]["relevant_files"]}
    assert {"gene_info.gz", "gene2go.gz", "mim2gene_medgen", "gene_refseq_uniprotkb_collab.gz"} <= files
    configs = [yaml.safe_load(p.read_text()) for p in CONFIG_DIR.glob("*.yaml")]
    assert len(rig["ingest_info"]["included_content"]) == sum(1 for c in configs if "reader" in c)
    reasons = {(f["file_name"], f["filtered_records"]) for f in rig["ingest_info"]["filtered_content"]}
    assert {
        ("gene_info.gz", "taxon not in scope"),
        ("gene_group.gz", "gene related to itself"),
        ("gene2go.gz", "evidence code ND (no biological data available): not an assertion"),
        # a rule applied once the joined file is read, and the joined file's own rules, under its name
        ("gene2refseq.gz", "RefSeq protein has no UniProtKB partner in gene_refseq_uniprotkb_collab"),
        ("gene_refseq_uniprotkb_collab.gz", "RefSeq protein in no gene2refseq row in scope"),
        ("gene_refseq_uniprotkb_collab.gz", "unknown method"),
    } <= reasons
    fields = {c["file_name"]: c["fields_used"] for c in rig["ingest_info"]["included_content"]}
    assert fields["gene2go.gz"].startswith("tax_id, GeneID, GO_ID")
    meta = json.loads((graph / "meta_knowledge_graph.json").read_text())
    assert [
        (t["subject_categories"], t["predicates"], t["object_categories"]) for t in rig["target_info"]["edge_type_info"]
    ] == [([m["subject"]], [m["predicate"]], [m["object"]]) for m in meta["edges"]]
    assert all(t["knowledge_level"] and t["agent_type"] for t in rig["target_info"]["edge_type_info"])
    assert {n["node_category"] for n in rig["target_info"]["node_type_info"]} == set(meta["nodes"])


def test_graph_metadata_lists_every_file_with_its_sha256(graph: Path) -> None:
    listed = {f["name"]: f for f in json.loads((graph / "graph_metadata.json").read_text())["distribution"]}
    build = (graph / ".current").resolve()  # the published build's folder (OUT's files link into it)
    on_disk = {p.relative_to(build).as_posix() for p in build.rglob("*") if p.is_file()}
    # Written after graph_metadata.json, from it: the file itself, the changes, the report and the tarball.
    after = {"graph_metadata.json", "changes.json", "report.html", "report.json", "ncbi_gene.tar.gz"}
    assert set(listed) == on_disk - after
    for name, entry in listed.items():
        data = (graph / name).read_bytes()
        assert entry["size"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest(), name
    assert listed["ncbi_gene_edges.parquet"]["format"] == "KGX Parquet"
    assert listed["ncbi_gene_nodes.jsonl"]["format"] == "KGX JSON Lines"
    assert listed["by_taxon/ncbi_gene_NCBITaxon_9606_nodes.tsv"]["format"] == "KGX TSV"
    assert listed["meta_knowledge_graph.json"]["format"].startswith("TRAPI")


def test_a_later_build_removes_the_formats_it_did_not_write(graph: Path, tmp_path: Path) -> None:

    out = tmp_path / "output"
    shutil.copytree(graph, out, symlinks=True)
    (out / "neo4j").mkdir()
    (out / "neo4j" / "keep.txt").write_text("not the build's\n")
    quiet_build(SAMPLE_DIR, out)
    left = sorted(
        p.relative_to(out).as_posix() for p in out.iterdir() if p.exists() and p.suffix in (".jsonl", ".parquet")
    )
    assert left == ["example_edges.jsonl"]
    assert {p.suffix for p in (out / "by_taxon").iterdir()} == {".tsv"}
    assert (out / "neo4j" / "keep.txt").is_file()


def test_tsv_and_by_taxon_keep_the_tables_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a graph of many slices (read two threads at a time, the next while the last is written), the TSV file is
    the table's rows in order and each by_taxon file the rows of its taxon in that order. CONSTRUCTED graph:
    3,000 genes in two taxa of the scope, one outside it, one without a taxon; 60,000 edges whose subjects
    interleave the taxa."""
    monkeypatch.setattr(outputs, "SLICE", 997)
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute(f"ATTACH '{tmp_path / 'graph.duckdb'}' AS graph")
    con.execute("USE graph")
    con.execute("""
        CREATE TABLE nodes AS
        SELECT 'NCBIGene:' || i AS id, 'biolink:Gene' AS category,
               CASE i % 4 WHEN 0 THEN ['NCBITaxon:9606'] WHEN 1 THEN ['NCBITaxon:10090'] WHEN 2 THEN ['NCBITaxon:1']
               END AS in_taxon
        FROM range(3000) t(i) ORDER BY id
    """)
    con.execute("""
        CREATE TABLE edges AS
        SELECT md5(i::VARCHAR) AS id, 'NCBIGene:' || (i * 7919 % 3000) AS subject, 'biolink:related_to' AS predicate,
               'NCBIGene:' || (i % 3000) AS object
        FROM range(60000) t(i) ORDER BY subject, predicate, object, id
    """)
    scope = load_scope("9606,10090")
    written = {
        w.path.name: w for w in [*write_tsv(con, "edges", tmp_path, scope), *write_tsv(con, "nodes", tmp_path, scope)]
    }
    taxon = dict(con.execute("SELECT id, in_taxon[1] FROM nodes").fetchall())
    for kind in ("nodes", "edges"):
        header, *lines = (tmp_path / f"ncbi_gene_{kind}.tsv").read_text().splitlines()
        table = con.execute(f"SELECT * FROM {kind}").fetchall()
        assert lines == [
            "\t".join("" if v is None else str(v) if not isinstance(v, list) else "|".join(v) for v in row)
            for row in table
        ]

        def part(line: str, kind: str = kind) -> str:
            ends = line.split("\t")[:1] if kind == "nodes" else line.split("\t")[1:4:2]
            found = [taxon[e] for e in ends if taxon[e]]
            name = found[0].replace(":", "_") if found else "no_taxon"
            return name if name in ("NCBITaxon_9606", "NCBITaxon_10090", "no_taxon") else "other_taxa"

        for name in ("NCBITaxon_9606", "NCBITaxon_10090", "other_taxa", "no_taxon"):
            path = tmp_path / "by_taxon" / f"ncbi_gene_{name}_{kind}.tsv"
            expected = [line for line in lines if part(line) == name]
            if not expected:  # only files with records are written (no edge has two ends without a taxon)
                assert not path.exists()
                continue
            assert path.read_text().splitlines() == [header, *expected]
            assert written[path.name].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
