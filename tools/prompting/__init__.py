"""How an item becomes a prompt: the techniques (zero-shot, drawn or retrieved examples, RAG passages), the
examples and passages they show, and the classification prompt and the reading of its answer.
"""
