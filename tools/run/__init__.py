"""Running candidates × techniques over an eval set: the runner and its store (concurrent, retried, cached,
resumable, capped), the adaptive rounds that stop settled rows, and the group commit under the store.
"""
