"""The Chroma index and the embedding models that fill it."""
