"""The bottom layer: settings, typed shapes, the workspace, token counting, language — importing nothing of ours.

`knowledge/` depends only on this; `tools/` on this and `knowledge/`; `agent/` on all three; `app.py` and `cli/`
sit on top. Environment variables are read here only (`core.settings`).

Imports sit at the top of every module, except these, deferred to first use because they are heavy and most
turns or commands never need them (the one list of exceptions):
- chromadb and the sentence encoder (`knowledge/store.py`, and `cli/catalog.py search`): only retrieval uses them;
- scikit-learn (`tools/candidates/registry.py`, the trained baseline), statsmodels / scipy / numpy (`tools/scoring/metrics.py`);
- tiktoken (`core/tokens.py`: its encoding loads on the first count), rapidfuzz (`knowledge/catalog.py`, only for
  suggestions), python-calamine and charset-normalizer (`tools/data/read.py`, only for XLSX and non-UTF-8 files),
  rich's progress bar (`tools/evaluation/run.py`, only in a terminal);
- each `modelpick` sub-command imports its work when it runs (`cli/eval.py`), so `--help` stays fast.
"""
