"""Reading what a user brings: files checked and parsed once (tables), their documents for RAG, uploads kept
by content, and the eval set split from them (eval / few-shot pool / train pool, power analysis).
"""
