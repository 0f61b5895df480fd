"""The `modelpick` command line: the same graph and tools as the chat, in a terminal."""
