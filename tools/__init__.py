"""The work: pure, typed, UI-free functions (data, eval sets, candidates, metrics, reports).

Nothing here imports `agent/` or chainlit, so the same code runs under the chat, the CLI and tests.
"""
