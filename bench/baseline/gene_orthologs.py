"""Baseline gene_orthologs transform, one association object per row (see gene_info.yaml)."""

import uuid

import koza
from biolink_model.datamodel.pydanticmodel_v2 import GeneToGeneHomologyAssociation


@koza.transform_record()
def transform(koza, row):
    koza.write(
        GeneToGeneHomologyAssociation(
            id=str(uuid.uuid4()),
            subject=f"NCBIGene:{row['GeneID']}",
            predicate="biolink:orthologous_to",
            object=f"NCBIGene:{row['Other_GeneID']}",
            knowledge_level="knowledge_assertion",
            agent_type="computational_model",
            primary_knowledge_source="infores:ncbi-gene",
        )
    )
