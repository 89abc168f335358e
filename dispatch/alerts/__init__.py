"""The no-answer protocol: alerts raised at a client's door, walked up a ladder, resolved."""
