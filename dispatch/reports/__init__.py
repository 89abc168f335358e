"""What was promised and what was delivered: completion figures, risk signals, reports."""
