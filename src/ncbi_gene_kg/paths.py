"""Where the project's own files live (the package is installed editable from the checkout)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = PROJECT_ROOT / "config"
SAMPLE_DIR = PROJECT_ROOT / "sample"
MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"
GENERATED_DIR = Path(__file__).resolve().parent / "generated"
