"""What a user sees or takes away, UI-free: the figures (`figures`) and the files (`exports`: per-item CSV,
fine-tuning JSONL, the report).
"""
