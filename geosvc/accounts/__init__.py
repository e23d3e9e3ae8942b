"""Accounts: the people who sign in to the pages and the API keys of clients."""
