"""Baseline gene_info transform, one Gene object per row (see gene_info.yaml)."""

import koza
from biolink_model.datamodel.pydanticmodel_v2 import Gene


def nullable(value):
    return None if value == "-" else value


@koza.transform_record()
def transform(koza, row):
    if row["Symbol"] == "NEWENTRY":
        return
    koza.write(
        Gene(
            id=f"NCBIGene:{row['GeneID']}",
            category=["biolink:Gene"],
            name=row["Symbol"],
            symbol=row["Symbol"],
            full_name=nullable(row["Full_name_from_nomenclature_authority"]) or nullable(row["description"]),
            description=nullable(row["description"]),
            synonym=row["Synonyms"].split("|") if row["Synonyms"] != "-" else None,
            xref=row["dbXrefs"].split("|") if row["dbXrefs"] != "-" else None,
            in_taxon=[f"NCBITaxon:{row['tax_id']}"],
            provided_by=["infores:ncbi-gene"],
        )
    )
