"""The day's work: tasks from the schedules, closures, and who is free."""
