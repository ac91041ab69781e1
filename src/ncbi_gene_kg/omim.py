"""Which OMIM entries are genes: mim2gene_medgen's types of MIM numbers, for gene_info's MIM dbXrefs.

One MIM number names one OMIM entry, a gene or a phenotype. gene_info's dbXrefs also point at phenotype
entries (phenotype-locus records such as SCZD1 carry MIM:181510, schizophrenia 1), and a consumer that
builds cliques from xrefs would fold such a gene into the disease. mim2gene_medgen types every MIM number:
its transform keeps table :data:`MIM_TYPES` (``mim``, ``gene``, ``phenotype``: whether a row of the file
types the number so) in the build's database, and gene_info's transform, which runs after it (its config's
``runs_after``), keeps a MIM dbXref only when the number is typed ``gene`` (docs/sources/gene_info.md).
"""

from __future__ import annotations

MIM_TYPES = "mim2gene_medgen_mim_types"
# Why a MIM dbXref is not kept (gene_info's dropped values).
TYPED_PHENOTYPE = "MIM number typed phenotype, not gene, by mim2gene_medgen"
NOT_TYPED = "MIM number not in mim2gene_medgen"
