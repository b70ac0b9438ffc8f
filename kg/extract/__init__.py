"""Extraction: one module per fact family, each a pure function of the document model."""
