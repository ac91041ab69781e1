"""ncbi-gene-kg: NCBI Gene data files to a Biolink-model knowledge graph in KGX format."""

__version__ = "0.1.0"
