"""Telling people in time: contact preferences, the outbox, and the sender that empties it."""
