"""Dialogs for adding and editing records, each with an `ask` classmethod tests can patch."""
