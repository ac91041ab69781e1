"""`python -m ncbi_gene_kg` runs the command line."""

from ncbi_gene_kg.cli import run

run()
