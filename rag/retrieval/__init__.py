"""Finding the passages and facts a question is about: BM25, dense search, fusion."""
