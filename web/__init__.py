"""The browser door: Chainlit handlers (`handlers`), the live view of a turn (`live`) and every patch of
Chainlit's behaviour (`patches`). `app.py` at the root only imports the handlers, so `chainlit run app.py` works.
"""
