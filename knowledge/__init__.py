"""The facts: the model catalog (specs and prices with source and date) and the retrieval store over it."""
