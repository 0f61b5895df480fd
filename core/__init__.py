"""The bottom layer: settings, typed shapes, the workspace, token counting, language — importing nothing of ours.

`knowledge/` depends only on this; `tools/` on this and `knowledge/`; `agent/` on all three; `app.py` and `cli/`
sit on top. Environment variables are read here only (`core.settings`).
"""
