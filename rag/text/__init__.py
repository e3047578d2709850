"""Language-free text handling: figures, sentences and tokens."""
