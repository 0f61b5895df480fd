"""Many users, one service: the shared database (SQLite or PostgreSQL), the people who may log in, the
rules of login, and the chat history (Chainlit's data layer). Used by the browser door and two CLI commands.
"""
