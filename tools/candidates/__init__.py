"""Anything that can answer an eval item — a chat endpoint, the local llama.cpp model, the trained baseline —
built by name from the registry, with what each pays per token (`pricing`: the only home of prices in the work).
"""
