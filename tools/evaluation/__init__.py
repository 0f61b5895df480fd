"""One evaluation end to end, the orchestrator at the top of the work: its config and eval set (`config`),
the run (`run`) and the pinned results document (`results`). Nothing else in `tools/` imports it.
"""
