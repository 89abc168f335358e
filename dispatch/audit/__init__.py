"""Reading the audit trail: listing, filtering, exporting and checking it. Nothing edits it."""
