"""The arithmetic of a plan before anything runs: calls, time and tokens per item, counted from the very
messages the run will send.
"""
