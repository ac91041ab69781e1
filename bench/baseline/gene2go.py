"""Baseline gene2go transform, one association object per row (see gene_info.yaml)."""

import uuid

import koza
from biolink_model.datamodel.pydanticmodel_v2 import (
    MacromolecularMachineToBiologicalProcessAssociation,
    MacromolecularMachineToCellularComponentAssociation,
    MacromolecularMachineToMolecularActivityAssociation,
)

ASSOCIATION = {
    "Function": MacromolecularMachineToMolecularActivityAssociation,
    "Process": MacromolecularMachineToBiologicalProcessAssociation,
    "Component": MacromolecularMachineToCellularComponentAssociation,
}
PREDICATE = {
    "enables": "biolink:enables",
    "involved_in": "biolink:actively_involved_in",
    "located_in": "biolink:located_in",
    "part_of": "biolink:part_of",
    "is_active_in": "biolink:active_in",
    "contributes_to": "biolink:contributes_to",
    "colocalizes_with": "biolink:colocalizes_with",
    "acts_upstream_of": "biolink:acts_upstream_of",
    "acts_upstream_of_or_within": "biolink:acts_upstream_of_or_within",
    "acts_upstream_of_positive_effect": "biolink:acts_upstream_of_positive_effect",
    "acts_upstream_of_negative_effect": "biolink:acts_upstream_of_negative_effect",
    "acts_upstream_of_or_within_positive_effect": "biolink:acts_upstream_of_or_within_positive_effect",
    "acts_upstream_of_or_within_negative_effect": "biolink:acts_upstream_of_or_within_negative_effect",
}


@koza.transform_record()
def transform(koza, row):
    qualifier = row["Qualifier"]
    negated = qualifier.startswith("NOT ")
    predicate = PREDICATE.get(qualifier.removeprefix("NOT "))
    if predicate is None or row["Evidence"] == "ND":
        return
    koza.write(
        ASSOCIATION[row["Category"]](
            id=str(uuid.uuid4()),
            subject=f"NCBIGene:{row['GeneID']}",
            predicate=predicate,
            object=row["GO_ID"],
            negated=negated,
            has_evidence=[row["Evidence"]],
            publications=[f"PMID:{p}" for p in row["PubMed"].split("|")] if row["PubMed"] != "-" else None,
            knowledge_level="knowledge_assertion",
            agent_type="manual_agent",
            primary_knowledge_source="infores:go",
            aggregator_knowledge_source=["infores:ncbi-gene"],
        )
    )
