"""The Chainlit entry point (`chainlit run app.py`, `make run`): the handlers live in `web/`."""

from web import handlers  # noqa: F401  (importing it registers Chainlit's callbacks)
