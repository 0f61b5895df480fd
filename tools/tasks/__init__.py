"""What a run asks a model for, one module per kind: a label (classification), a JSON object of fields
(extraction) or an open answer (generation, with its judge) — and `kinds`, the task a run is given.
"""
