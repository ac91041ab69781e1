"""Information-resource (infores) identifiers used for provenance, defined once.

Identifiers from the Translator infores catalog (https://github.com/biolink/information-resource-registry).
"""

NCBI_GENE = "infores:ncbi-gene"
GO = "infores:go"
OMIM = "infores:omim"
GENEREVIEWS = "infores:genereviews"
MEDGEN = "infores:medgen"
UNIPROT = "infores:uniprot"
