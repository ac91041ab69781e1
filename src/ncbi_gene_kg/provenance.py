"""Information-resource (infores) identifiers used for provenance, defined once.

Identifiers from the Translator infores catalog (https://github.com/biolink/information-resource-registry).
"""

NCBI_GENE = "infores:ncbi-gene"
GO = "infores:go"
OMIM = "infores:omim"
# Not (yet) in the infores catalog: named the way the catalog names resources.
GENEREVIEWS = "infores:genereviews"
GENETESTS = "infores:genetests"
MEDGEN = "infores:medgen"
UNIPROT = "infores:uniprot"
# RefSeq (the curators of NCBI Gene's summaries): not in the catalog as of 2025; named like its other entries.
REFSEQ = "infores:refseq"
